/**
 * `npm run demo`: Sigil's main job, end to end, against the real local peers.
 *
 * 1. uses the running environment of real peers, or starts one (and stops it at the end);
 * 2. makes a Git repository with an app: a Deployment, a SOPS-encrypted Secret (age) and a SealedSecret;
 * 3. runs the GitSource and Sync controllers, which sync it into the local API server
 *    (render, decrypt, unseal, staged server-side apply);
 * 4. edits a managed object by hand (drift) and shows the watch reverting it;
 * 5. commits a change (and removes a file), asks for a reconcile with requestedAt, and shows it applied and pruned;
 * 6. tears everything down on exit (also on Ctrl-C). No TTY needed: it only prints lines.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildKeySecret, encryptFile, generateSealingKeyPair, sealSecret } from "../../src/decrypt/index.js";
import { parse } from "yaml";
import { ProviderRegistry, buildProviderRegistry, buildProviderRegistryFromSecret } from "../../src/providers/index.js";
import { Logger } from "../../src/core/index.js";
import { HttpKubeClient, loadKubeConfig } from "../../src/kube/index.js";
import { Manager } from "../../src/kube/runtime/index.js";
import { ArtifactStore, SyncController, gitSourceController } from "../../src/operator/gitops/index.js";
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

const GITOPS = "/apis/gitops.sigil.dev/v1alpha1";
const CRD_FILES = ["gitops.sigil.dev_gitsources.yaml", "gitops.sigil.dev_syncs.yaml"].map((f) => fileURLToPath(new URL(`../../crds/${f}`, import.meta.url)));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function installCrds(client: HttpKubeClient): Promise<void> {
  for (const file of CRD_FILES) {
    const crd = parse(readFileSync(file, "utf8")) as { metadata: { name: string } };
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
    if ((await client.get(path)) === undefined) {
      await client.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
      cleanups.push(async () => { await client.delete(path); });
      say(`   installed CRD ${crd.metadata.name} (removed at the end)`);
    }
    await until(`${crd.metadata.name} established`, async () => ((await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(path))?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") === true ? true : undefined));
  }
}

async function startControllers(client: HttpKubeClient, ns: string, kustomizeBin: string): Promise<void> {
  const cache = mkdtempSync(join(tmpdir(), "sigil-demo-cache-"));
  const logger = new Logger({ level: "warn", sink: (l) => { say(`   log: ${l}`); } });
  const store = new ArtifactStore();
  const manager = new Manager(client, { logger });
  manager.add(gitSourceController({ client, store, source: { cacheDir: cache }, logger, now: () => new Date() }));
  manager.add(new SyncController({ client, store, logger, now: () => new Date(), kustomizeBin, sealingKeyNamespace: ns, providersFor: (secret) => (secret === undefined ? new ProviderRegistry() : buildProviderRegistryFromSecret(secret)) }));
  await manager.start();
  cleanups.push(async () => {
    await manager.stop();
    rmSync(cache, { recursive: true, force: true });
  });
}

interface SyncStatusView { status?: { lastAppliedRevision?: string; inventory?: { entries: unknown[] }; conditions?: { type: string; status: string; message: string }[] } }

async function waitApplied(client: HttpKubeClient, ns: string, after: string | undefined): Promise<string> {
  return until("the Sync to apply", async () => {
    const s = (await client.get<SyncStatusView>(`${GITOPS}/namespaces/${ns}/syncs/app`))?.status;
    const ready = s?.conditions?.find((c) => c.type === "Ready");
    if (ready?.status === "False" && ready.message !== "" && !ready.message.includes("no artifact")) throw new Error(`the Sync failed: ${ready.message}`);
    if (ready?.status !== "True" || s?.lastAppliedRevision === undefined || s.lastAppliedRevision === after) return undefined;
    say(`   Sync Ready: ${ready.message}`);
    return s.lastAppliedRevision;
  });
}

async function sayEvent(client: HttpKubeClient, ns: string): Promise<void> {
  const events = await client.list<{ reason: string; message: string; involvedObject: { kind: string }; lastTimestamp?: string; eventTime?: string }>(`/api/v1/namespaces/${ns}/events`);
  const when = (e: { lastTimestamp?: string; eventTime?: string }): string => e.lastTimestamp ?? e.eventTime ?? "";
  // The newest Event about the Sync (the API server lists Events by name, not by time).
  const last = events.items.filter((e) => e.involvedObject.kind === "Sync").sort((a, b) => when(a).localeCompare(when(b))).pop();
  if (last !== undefined) say(`   Event: ${last.reason}: ${last.message}`);
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

  say("3. the GitSource and Sync controllers start (in this process, on the runtime's manager, as `sigil operator --controllers gitsources,syncs` runs them)");
  await installCrds(client);
  await startControllers(client, ns, state.bin["kustomize"] ?? "kustomize");
  await client.create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "sops-keys" }, stringData: { "identity.agekey": readFileSync(AGE_KEY_FILE, "utf8") } });
  await client.create(`${GITOPS}/namespaces/${ns}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name: "app" }, spec: { url: repo.fileUrl, ref: { branch: "main" }, interval: "1h" } });
  await client.create(`${GITOPS}/namespaces/${ns}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "app" }, spec: { sourceRef: { kind: "GitSource", name: "app" }, path: "app", interval: "1h", targetNamespace: ns, sealedSecrets: "Inline", decryption: { secretRef: { name: "sops-keys" } } } });
  say("   GitSource/app and Sync/app created (decryption Secret with Flux's `.agekey` key; SealedSecrets: Inline)");
  const first = await waitApplied(client, ns, undefined);
  await sayEvent(client, ns);

  const cmPath = `/api/v1/namespaces/${ns}/configmaps/web-config`;
  say("4. drift: someone edits the ConfigMap by hand");
  const t0 = Date.now();
  await client.patch(cmPath, { data: { greeting: "edited by hand" } }, "merge");
  await until("the edit to be reverted", async () => ((await client.get<{ data: Record<string, string> }>(cmPath))?.data["greeting"] === "hello from git (1)" ? true : undefined));
  say(`   reverted by watching in ${Date.now() - t0} ms; live greeting: hello from git (1)`);

  say("5. a commit: version 2 of the app, and the SealedSecret removed from Git; reconcile now via the requestedAt annotation");
  commit(repo, { ...manifests(ns, "2"), "app/sealed.json": null });
  await client.patch(`${GITOPS}/namespaces/${ns}/gitsources/app`, { metadata: { annotations: { "gitops.sigil.dev/requestedAt": new Date().toISOString() } } }, "merge");
  await waitApplied(client, ns, first);
  await sayEvent(client, ns);
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
