/**
 * `npx tsx bench/webhooks/run.ts [objects] [pushes]`: push to applied
 * through the webhook. A repository of N ConfigMaps in the environment's
 * git root, a GitSource (interval 1h, so only the webhook triggers), a Sync
 * and a GitHub-type Receiver, with the three controllers in this process.
 * Each round: commit a change to one ConfigMap and push it (the clock starts
 * before `git push`), POST a signed push event, and poll the ConfigMap every
 * 10 ms until it holds the new value. Prints p50, p90, p99 and max.
 * Needs a running environment (SIGIL_ENV_DIR).
 */
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyCrdFiles, crdFile } from "../../test/support/crds.js";
import { Logger } from "../../src/core/index.js";
import { HttpKubeClient, loadKubeConfig } from "../../src/kube/index.js";
import { Manager } from "../../src/kube/runtime/index.js";
import { ArtifactStore, SyncController, gitSourceController } from "../../src/operator/gitops/index.js";
import { ReceiverController } from "../../src/operator/webhooks/index.js";
import { ProviderRegistry } from "../../src/providers/index.js";
import { readState } from "../../test/env/state.js";

const N = Number(process.argv[2] ?? 100);
const ROUNDS = Number(process.argv[3] ?? 30);
const API = "/apis/gitops.sigil.dev/v1alpha1";
const TOKEN = randomBytes(24).toString("hex");
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "bench@sigil.invalid", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "bench@sigil.invalid" };
const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" });
const cm = (i: number, v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${String(i)}\ndata:\n  v: "${v}"\n`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const state = readState();
if (state === undefined) throw new Error("no running environment (npm run env -- up, or set SIGIL_ENV_DIR)");
const client = new HttpKubeClient((await loadKubeConfig({ path: state.kube.kubeconfig, env: {}, homedir: tmpdir() })).connection);
const ns = `bench-hook-${randomBytes(3).toString("hex")}`;
const bare = join(state.git.root, `${ns}.git`);
const work = mkdtempSync(join(tmpdir(), "sigil-bench-hook-"));
const cache = mkdtempSync(join(tmpdir(), "sigil-bench-hook-cache-"));

await applyCrdFiles(client, ["gitsources", "syncs", "receivers"].map((p) => crdFile(`gitops.sigil.dev_${p}.yaml`)), "sigil-bench");
git(state.git.root, "init", "--bare", "--initial-branch=main", bare);
git(work, "init", "--initial-branch=main");
mkdirSync(join(work, "app"));
for (let i = 0; i < N; i++) writeFileSync(join(work, "app", `cm-${String(i)}.yaml`), cm(i, "0"));
git(work, "add", "-A");
git(work, "commit", "-qm", "initial");
git(work, "push", "-q", bare, "main");

const logger = new Logger({ level: "warn", sink: () => undefined });
const store = new ArtifactStore();
const manager = new Manager(client, { logger });
manager.add(gitSourceController({ client, store, source: { cacheDir: cache }, logger, now: () => new Date() }));
manager.add(new SyncController({ client, store, logger, now: () => new Date(), kustomizeBin: state.bin["kustomize"] ?? "kustomize", sealingKeyNamespace: "kube-system", providersFor: () => new ProviderRegistry() }));
const receivers = new ReceiverController({ client, logger, addr: "127.0.0.1:0" });
manager.add(receivers);
await manager.start();

const value = async (): Promise<string | undefined> => (await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/cm-0`))?.data?.["v"];
async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

try {
  await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  await client.create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "hook" }, stringData: { token: TOKEN } });
  await client.create(`${API}/namespaces/${ns}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name: "repo" }, spec: { url: `file://${bare}`, ref: { branch: "main" }, interval: "1h" } });
  await client.create(`${API}/namespaces/${ns}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "app" }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", interval: "1h" } });
  await client.create(`${API}/namespaces/${ns}/receivers`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Receiver", metadata: { name: "hook" }, spec: { type: "github", secretRef: { name: "hook" }, resources: [{ name: "repo" }], events: ["push"] } });
  await until("the first sync", async () => (await value()) === "0");
  let path: string | undefined;
  await until("the Receiver's path", async () => (path = (await client.get<{ status?: { webhookPath?: string } }>(`${API}/namespaces/${ns}/receivers/hook`))?.status?.webhookPath) !== undefined);
  const url = `http://127.0.0.1:${String(receivers.address?.port)}${String(path)}`;
  const times: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    writeFileSync(join(work, "app", "cm-0.yaml"), cm(0, String(round)));
    git(work, "commit", "-qam", `round ${String(round)}`);
    const t0 = performance.now();
    git(work, "push", "-q", bare, "main");
    const body = JSON.stringify({ ref: "refs/heads/main", after: git(work, "rev-parse", "HEAD").trim() });
    const res = await fetch(url, { method: "POST", body, headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${createHmac("sha256", TOKEN).update(body).digest("hex")}` } });
    if (res.status !== 200) throw new Error(`webhook answered ${String(res.status)}`);
    await until(`round ${String(round)} applied`, async () => (await value()) === String(round));
    times.push(performance.now() - t0);
    await sleep(300);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number): string => `${(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0).toFixed(0)} ms`;
  process.stdout.write(`| push to applied through the webhook, ${String(N)} objects, ${String(ROUNDS)} pushes | p50 ${q(0.5)} | p90 ${q(0.9)} | p99 ${q(0.99)} | max ${q(1)} |\n`);
} finally {
  await manager.stop();
  await client.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  client.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  rmSync(bare, { recursive: true, force: true });
}
