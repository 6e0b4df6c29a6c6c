/**
 * `npx tsx bench/reconcile/run.ts [objects] [secrets]`: the reconciler's
 * first sync of a directory of N objects (S of them SOPS-encrypted Secrets,
 * age) against `sops -d` per file plus `kubectl apply --server-side` of the
 * result, side by side in one run against the environment's API server
 * (each into its own fresh namespace); then a re-sync of the unchanged
 * revision. Prints a Markdown table. Needs a running environment.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sopsDecryptor, encryptFile } from "../../src/decrypt/index.js";
import { HttpKubeClient, ResourceManager, loadKubeConfig } from "../../src/kube/index.js";
import { buildProviderRegistry } from "../../src/providers/index.js";
import { inventoryOf, reconcile } from "../../src/reconcile/index.js";
import type { SyncPlan } from "../../src/reconcile/index.js";
import { readState } from "../../test/env/state.js";

const N = Number(process.argv[2] ?? 1000);
const S = Number(process.argv[3] ?? 200);
const KEY = fileURLToPath(new URL("../../test/fixtures/sops/age-key.txt", import.meta.url));
const RECIPIENT = /age1[0-9a-z]+/.exec(readFileSync(KEY, "utf8"))?.[0] ?? "";

async function makeRepo(dir: string): Promise<void> {
  const registry = buildProviderRegistry({ SOPS_AGE_KEY_FILE: KEY, HOME: tmpdir() });
  mkdirSync(join(dir, "app"), { recursive: true });
  for (let i = 0; i < N - S; i++) writeFileSync(join(dir, "app", `cm-${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  v: "${i}"\n`);
  for (let i = 0; i < S; i++) {
    const plain = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s-${i}\nstringData:\n  password: bench-${i}\n`;
    writeFileSync(join(dir, "app", `s-${i}.yaml`), await encryptFile(Buffer.from(plain), { registry, keyGroups: [[{ type: "age", recipient: RECIPIENT }]], rules: { encrypted_regex: "^(data|stringData)$" }, path: "s.yaml" }));
  }
}

function baseline(dir: string, ns: string, bin: Readonly<Record<string, string>>, kubeconfig: string): number {
  const out = mkdtempSync(join(tmpdir(), "sigil-bench-plain-"));
  const t0 = performance.now();
  for (let i = 0; i < S; i++) {
    const plain = execFileSync(bin["sops"] ?? "sops", ["-d", join(dir, "app", `s-${i}.yaml`)], { env: { PATH: process.env["PATH"] ?? "", HOME: tmpdir(), SOPS_AGE_KEY_FILE: KEY, SOPS_DISABLE_VERSION_CHECK: "1" } });
    writeFileSync(join(out, `s-${i}.yaml`), plain);
  }
  for (let i = 0; i < N - S; i++) writeFileSync(join(out, `cm-${i}.yaml`), readFileSync(join(dir, "app", `cm-${i}.yaml`)));
  execFileSync(bin["kubectl"] ?? "kubectl", ["--kubeconfig", kubeconfig, "apply", "--server-side", "--field-manager", "bench", "-n", ns, "-f", out], { maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  rmSync(out, { recursive: true, force: true });
  return ms;
}

const state = readState();
if (state === undefined) throw new Error("start the environment first: npm run env -- up");
const client = new HttpKubeClient((await loadKubeConfig({ path: state.kube.kubeconfig, env: {}, homedir: tmpdir() })).connection);
const repo = mkdtempSync(join(tmpdir(), "sigil-bench-repo-"));
const id = Date.now().toString(36);
const [nsSigil, nsBase] = [`bench-sigil-${id}`, `bench-kubectl-${id}`];
try {
  await makeRepo(repo);
  for (const ns of [nsSigil, nsBase]) await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const baseMs = baseline(repo, nsBase, state.bin, state.kube.kubeconfig);
  const registry = buildProviderRegistry({ SOPS_AGE_KEY_FILE: KEY, HOME: tmpdir() });
  const plan: SyncPlan = { path: "app", targetNamespace: nsSigil, defaultNamespace: nsSigil, prune: true, allowEmpty: false, force: false, wait: false, healthChecks: [], timeoutMs: 600_000, sealedSecrets: "Controller", dryRun: false, owner: { name: "bench", namespace: nsSigil } };
  const deps = { source: () => Promise.resolve({ url: repo, revision: "bench", commit: "", dir: repo, cached: true }), manager: new ResourceManager({ client }), render: {}, decrypt: { sops: sopsDecryptor({ registry }) } };
  let t0 = performance.now();
  const first = await reconcile(plan, inventoryOf([]), deps);
  const firstMs = performance.now() - t0;
  if (!first.ok) throw first.error ?? new Error("first sync failed");
  t0 = performance.now();
  const again = await reconcile(plan, first.inventory, deps);
  const againMs = performance.now() - t0;
  const writes = again.changes.filter((c) => c.action !== "unchanged").length;
  const rss = process.memoryUsage().rss / (1 << 20);
  process.stdout.write(
    [
      `| ${N} objects (${S} SOPS Secrets, age) | Sigil | sops -d per file + kubectl apply --server-side | ratio |`,
      "|---|---|---|---|",
      `| first sync | ${(firstMs / 1000).toFixed(2)} s | ${(baseMs / 1000).toFixed(2)} s | ${(firstMs / baseMs).toFixed(2)} |`,
      `| re-sync, unchanged | ${(againMs / 1000).toFixed(2)} s, ${writes} objects not unchanged in the change set | | |`,
      `| RSS after both (bench process) | ${rss.toFixed(0)} MB | | |`,
      "",
    ].join("\n"),
  );
} finally {
  for (const ns of [nsSigil, nsBase]) await client.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  rmSync(repo, { recursive: true, force: true });
  client.close();
}
