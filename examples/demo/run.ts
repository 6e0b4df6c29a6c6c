/**
 * `npm run demo`: Sigil's main job, end to end, against the real local peers.
 *
 * 1. uses the running environment of real peers, or starts one (and stops it at the end);
 * 2. makes a Git repository with an app: a Deployment, a SOPS-encrypted Secret (age) and a SealedSecret;
 * 3. syncs it into the local API server (render, decrypt, unseal, staged server-side apply);
 * 4. edits a managed object by hand (drift) and shows the next reconcile reverting it;
 * 5. commits a change and applies it; removes a file and prunes it;
 * 6. tears everything down on exit (also on Ctrl-C). No TTY needed: it only prints lines.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildProviderRegistry } from "../../src/cli/keys-from-env.js";
import { buildKeySecret, encryptFile, generateSealingKeyPair, sealSecret, sopsDecryptor } from "../../src/decrypt/index.js";
import { HttpKubeClient, ResourceManager, loadKubeConfig } from "../../src/kube/index.js";
import type { ChangeSetEntry } from "../../src/kube/index.js";
import { fetchSource, inventoryOf, loadSealingKeys, reconcile } from "../../src/reconcile/index.js";
import type { InventoryStatus, SyncPlan } from "../../src/reconcile/index.js";
import { down, up } from "../../test/env/env.js";
import { readState } from "../../test/env/state.js";
import { commit } from "../../test/support/reconcile.js";
import { createRepo } from "../../test/support/git.js";

const AGE_KEY_FILE = fileURLToPath(new URL("../../test/fixtures/sops/age-key.txt", import.meta.url));
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const cleanups: (() => Promise<void>)[] = [];

function manifests(ns: string, version: string): Record<string, string> {
  return {
    "app/deployment.yaml": `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${ns}\n  labels: {app: web, version: "${version}"}\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: registry.invalid/web:${version}\n`,
    "app/config.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: ${ns}\ndata:\n  greeting: hello from git (${version})\n`,
  };
}

async function sopsSecret(ns: string): Promise<string> {
  const recipient = /age1[0-9a-z]+/.exec(readFileSync(AGE_KEY_FILE, "utf8"))?.[0] ?? "";
  const plain = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-password\n  namespace: ${ns}\nstringData:\n  password: demo-not-a-real-password\n`;
  const registry = buildProviderRegistry({ SOPS_AGE_KEY_FILE: AGE_KEY_FILE, HOME: tmpdir() });
  return Buffer.from(await encryptFile(Buffer.from(plain), { registry, keyGroups: [[{ type: "age", recipient }]], rules: { encrypted_regex: "^(data|stringData)$" }, path: "secret.yaml" })).toString();
}

async function sealedSecret(client: HttpKubeClient, ns: string): Promise<unknown> {
  const pair = await generateSealingKeyPair({ keySize: 2048 });
  await client.create(`/api/v1/namespaces/${ns}/secrets`, buildKeySecret({ privateKeyPem: pair.privateKeyPem, certificatePem: pair.certificate.pem }, { namespace: ns }));
  return sealSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "api-token", namespace: ns }, type: "Opaque", data: { token: Buffer.from("demo-token").toString("base64") } }, pair.certificate.publicKey);
}

function printChanges(changes: readonly ChangeSetEntry[]): void {
  for (const c of changes) say(`    ${c.subject} ${c.action}${c.reason === undefined ? "" : ` (${c.reason})`}`);
}

async function main(): Promise<void> {
  let state = readState();
  if (state === undefined) {
    say("sigil demo: no environment of real peers is running; starting one (`npm run env -- up`; the first run builds the peers, which takes a while)…");
    state = await up((l) => { say(`  ${l}`); });
    cleanups.push(async () => { say("stopping the environment the demo started…"); await down(() => undefined); });
  } else say(`sigil demo: using the running environment of real peers (API server ${state.kube.server})`);
  const client = new HttpKubeClient((await loadKubeConfig({ path: state.kube.kubeconfig, env: {}, homedir: tmpdir() })).connection);
  cleanups.push(() => {
    client.close();
    return Promise.resolve();
  });
  const ns = `sigil-demo-${Date.now().toString(36)}`;
  await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  cleanups.push(async () => { say(`deleting namespace ${ns}…`); await client.delete(`/api/v1/namespaces/${ns}`); });

  say(`1. a sealing key for the cluster (namespace ${ns}), and a SealedSecret sealed to it`);
  const sealed = await sealedSecret(client, ns);

  say("2. a Git repository with the app: a Deployment, a ConfigMap, a SOPS-encrypted Secret (age), the SealedSecret");
  const repo = createRepo(`sigil-demo-${Date.now().toString(36)}`, { ...manifests(ns, "1"), "app/secret.sops.yaml": await sopsSecret(ns), "app/sealed.json": JSON.stringify(sealed, null, 2) });
  cleanups.push(() => {
    rmSync(repo.path, { recursive: true, force: true });
    return Promise.resolve();
  });
  say(`   ${repo.fileUrl}`);

  const registry = buildProviderRegistry({ SOPS_AGE_KEY_FILE: AGE_KEY_FILE, HOME: tmpdir() });
  const cache = mkdtempSync(join(tmpdir(), "sigil-demo-cache-"));
  cleanups.push(() => {
    rmSync(cache, { recursive: true, force: true });
    return Promise.resolve();
  });
  const manager = new ResourceManager({ client });
  const plan: SyncPlan = { path: "app", targetNamespace: ns, defaultNamespace: ns, prune: true, allowEmpty: false, force: false, wait: false, healthChecks: [], timeoutMs: 60_000, sealedSecrets: "Inline", dryRun: false, owner: { name: "demo", namespace: ns } };
  const deps = {
    source: () => fetchSource({ url: repo.fileUrl, ref: { branch: "main" } }, { cacheDir: cache }),
    manager,
    render: { kustomizeBin: state.bin["kustomize"] ?? "kustomize", sops: sopsDecryptor({ registry }) },
    decrypt: { sops: sopsDecryptor({ registry }), sealingKeys: () => loadSealingKeys(client, ns, registry) },
  };
  let inventory: InventoryStatus = inventoryOf([]);
  const sync = async (title: string): Promise<void> => {
    say(title);
    const result = await reconcile(plan, inventory, deps);
    printChanges(result.changes);
    if (!result.ok) throw result.error ?? new Error("reconcile failed");
    inventory = result.inventory;
    say(`   applied ${result.revision ?? ""}: ${result.changes.length} objects, inventory of ${inventory.entries.length}`);
  };

  await sync("3. sync: fetch, render, decrypt SOPS, unseal the SealedSecret, server-side apply (staged, field manager sigil)");
  const cmPath = `/api/v1/namespaces/${ns}/configmaps/web-config`;
  say("4. drift: someone edits the ConfigMap by hand");
  await client.patch(cmPath, { data: { greeting: "edited by hand" } }, "merge");
  say(`   live greeting: ${((await client.get<{ data: Record<string, string> }>(cmPath))?.data["greeting"]) ?? ""}`);
  await sync("   the next reconcile puts Git's value back (the watching controller does this within a second once it runs in `sigil operator`)");
  say(`   live greeting: ${((await client.get<{ data: Record<string, string> }>(cmPath))?.data["greeting"]) ?? ""}`);

  say("5. a commit: version 2 of the app, and the SealedSecret removed from Git");
  commit(repo, { ...manifests(ns, "2"), "app/sealed.json": null });
  await sync("   sync: the Deployment and ConfigMap are configured, the unsealed Secret is pruned");
  say("done: every secret value stayed out of this output. Tearing down.");
}

async function cleanup(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch (err) {
      say(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

process.on("SIGINT", () => { void cleanup().finally(() => process.exit(130)); });
process.on("SIGTERM", () => { void cleanup().finally(() => process.exit(143)); });
try {
  await main();
  await cleanup();
} catch (err) {
  say(`sigil demo failed: ${err instanceof Error ? err.message : String(err)}`);
  await cleanup();
  process.exitCode = 1;
}
