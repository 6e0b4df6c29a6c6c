/**
 * Remote clusters against two real, independent API servers: the operator
 * runs against the primary cluster, and a Sync with `spec.kubeConfig`
 * applies to the second one (its own etcd and CA) with the kubeconfig held
 * in a Secret: apply, prune, drift revert there; impersonation there
 * combined with the kubeconfig (as Flux); a kubeconfig with an exec plugin
 * refused; connections and watches dropped when the Secret changes or the
 * Sync goes; the kubeconfig's token never in status, Events or logs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { HttpKubeClient, kubeconfigConnection } from "../../../src/kube/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import { ArtifactStore, SyncController, gitSourceController } from "../../../src/operator/gitops/index.js";
import { ProviderRegistry } from "../../../src/providers/index.js";
import { REQUESTED_AT_ANNOTATION } from "../../../src/reconcile/index.js";
import { adminClient, TestNamespaces, waitFor } from "../../support/bitnami.js";
import { applyCrdFiles, crdFile } from "../../support/crds.js";
import { createRepo } from "../../support/git.js";
import { describePeers, kubeAuditMark, kubeAuditSince, peerBin, secondCluster, uniqueName } from "../../support/peers.js";
import { commit } from "../../support/reconcile.js";
import { GITOPS, createGitSource, createSync, requestFetch, revisionOf, serviceAccountWithRole, tokenKubeconfig, waitReady } from "../../support/tenancy.js";

const CRDS = ["gitops.sigil.dev_gitsources.yaml", "gitops.sigil.dev_syncs.yaml"].map(crdFile);
const cm = (name: string, v: string, ns?: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${ns === undefined ? "" : `  namespace: ${ns}\n`}data:\n  v: "${v}"\n`;

describePeers("Syncs to a second cluster (spec.kubeConfig.secretRef)", () => {
  let client: HttpKubeClient;
  let remote: HttpKubeClient;
  let manager: Manager;
  let syncs: SyncController;
  let cache: string;
  const logs: string[] = [];
  const namespaces = new TestNamespaces();
  const run = uniqueName("rm");
  const LABELS = { "sigil.test/operator": run };

  beforeAll(async () => {
    client = adminClient();
    const conn = kubeconfigConnection(secondCluster().kubeconfig);
    if (conn === undefined) throw new Error("the second cluster's admin kubeconfig needs no plugin");
    remote = new HttpKubeClient(conn);
    await applyCrdFiles(client, CRDS);
    cache = mkdtempSync(join(tmpdir(), "sigil-remote-"));
    const logger = new Logger({ level: "debug", sink: (l) => logs.push(l) });
    const store = new ArtifactStore();
    manager = new Manager(client, { logger });
    manager.add(gitSourceController({ client, store, source: { cacheDir: cache }, logger, now: () => new Date() }));
    syncs = new SyncController({ client, store, logger, now: () => new Date(), kustomizeBin: peerBin("kustomize"), sealingKeyNamespace: "kube-system", providersFor: () => new ProviderRegistry(), labelSelector: `sigil.test/operator=${run}` });
    manager.add(syncs);
    await manager.start();
  }, 60_000);

  // The CRDs are cluster-wide: a test on a branch without these fields may apply its older copy meanwhile (the API server would then drop them).
  beforeEach(async () => {
    await applyCrdFiles(client, CRDS);
  });

  afterAll(async () => {
    await manager.stop();
    await namespaces.deleteAll(client, remote);
    rmSync(cache, { recursive: true, force: true });
    client.close();
    remote.close();
  });

  /** A namespace of that name in both clusters, a GitSource, and the kubeconfig Secret for the second cluster. */
  async function setup(prefix: string, files: Record<string, string>, kubeconfig = tokenKubeconfig(secondCluster().server, secondCluster().adminToken, secondCluster().caFile)): Promise<{ n: string; repo: ReturnType<typeof createRepo> }> {
    const n = await namespaces.create(prefix, client, remote);
    const repo = createRepo(uniqueName(prefix), files);
    await createGitSource(client, n, "repo", repo.fileUrl);
    await client.create(`/api/v1/namespaces/${n}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "cluster2" }, stringData: { value: kubeconfig } });
    return { n, repo };
  }
  const valueIn = async (c: HttpKubeClient, ns: string, name: string): Promise<string | undefined> => (await c.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/${name}`))?.data?.["v"];
  const TOKEN = (): string => secondCluster().adminToken;

  function expectNoToken(text: string): void {
    for (const form of [TOKEN(), Buffer.from(TOKEN()).toString("base64"), `Bearer ${TOKEN()}`]) expect(text).not.toContain(form);
  }

  it("applies, prunes and reverts drift on the second cluster, and nothing on the operator's own", async () => {
    const { n, repo } = await setup("rm-apply", { "app/a.yaml": cm("a", "1"), "app/b.yaml": cm("b", "1") });
    await createSync(client, n, "app", LABELS, { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", kubeConfig: { secretRef: { name: "cluster2" } } });
    await waitReady(client, n, "app", "True");
    expect(await valueIn(remote, n, "a")).toBe("1");
    expect(await valueIn(remote, n, "b")).toBe("1");
    expect(await valueIn(client, n, "a")).toBeUndefined();
    const sha = commit(repo, { "app/b.yaml": null });
    await requestFetch(client, n, "repo");
    await waitReady(client, n, "app", "True", undefined, await revisionOf(client, n, "repo", sha));
    expect(await valueIn(remote, n, "b")).toBeUndefined();
    await remote.patch(`/api/v1/namespaces/${n}/configmaps/a`, { data: { v: "edited" } }, "merge");
    await waitFor("the edit on the second cluster to be reverted", async () => ((await valueIn(remote, n, "a")) === "1" ? true : undefined), 15_000, 50);
    await remote.delete(`/api/v1/namespaces/${n}/configmaps/a`);
    await waitFor("the deleted object to come back on the second cluster", async () => ((await valueIn(remote, n, "a")) === "1" ? true : undefined), 15_000, 50);
    const sync = await client.get(`${GITOPS}/namespaces/${n}/syncs/app`);
    const events = await client.list(`/api/v1/namespaces/${n}/events`);
    expectNoToken(JSON.stringify(sync) + JSON.stringify(events.items) + logs.join("\n"));
  });

  it("impersonates the ServiceAccount on the second cluster (Flux's rule for kubeConfig + serviceAccountName): allowed namespace applied, denied one refused whole", async () => {
    const { n, repo } = await setup("rm-sa", { "app/a.yaml": cm("a", "1") });
    const other = await namespaces.create("rm-sa-o", remote);
    await serviceAccountWithRole(remote, n, "deployer", ["configmaps"]);
    const mark = kubeAuditMark("kube2");
    await createSync(client, n, "app", LABELS, { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", serviceAccountName: "deployer", selfHeal: false, kubeConfig: { secretRef: { name: "cluster2" } } });
    await waitReady(client, n, "app", "True");
    const writes = (await kubeAuditSince(mark, remote)).filter((e) => e.namespace === n && e.resource === "configmaps" && e.verb === "patch");
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((e) => e.impersonatedUser === `system:serviceaccount:${n}:deployer`)).toBe(true);
    const sha = commit(repo, { "app/a.yaml": cm("a", "2"), "app/x.yaml": cm("x", "1", other) });
    await requestFetch(client, n, "repo");
    const ready = await waitReady(client, n, "app", "False", "kube.forbidden", await revisionOf(client, n, "repo", sha));
    expect(ready.message).toContain(`system:serviceaccount:${n}:deployer`);
    expect(await valueIn(remote, n, "a")).toBe("1");
    expect(await valueIn(remote, other, "x")).toBeUndefined();
  });

  it("refuses a kubeconfig with an exec plugin (config.invalid naming the Secret), applies nothing, leaks no token", async () => {
    const withExec = tokenKubeconfig(secondCluster().server, TOKEN(), secondCluster().caFile, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh", args: ["-c", "touch /tmp/sigil-pwned"] } });
    const { n } = await setup("rm-exec", { "app/a.yaml": cm("a", "1") }, withExec);
    await createSync(client, n, "app", LABELS, { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", kubeConfig: { secretRef: { name: "cluster2" } } });
    const ready = await waitReady(client, n, "app", "False", "config.invalid");
    expect(ready.message).toContain("'exec'");
    expect(ready.message).toContain(`Secret/${n}/cluster2`);
    expect(await valueIn(remote, n, "a")).toBeUndefined();
    expectNoToken(JSON.stringify(await client.get(`${GITOPS}/namespaces/${n}/syncs/app`)) + logs.join("\n"));
  });

  it("drops the old connection and watches when the Secret changes, and all of them when the last Sync goes", async () => {
    const { n } = await setup("rm-gc", { "app/a.yaml": cm("a", "1") });
    const before = syncs.targetStats.remoteClusters;
    await createSync(client, n, "app", LABELS, { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", kubeConfig: { secretRef: { name: "cluster2" } } });
    await waitReady(client, n, "app", "True");
    expect(syncs.targetStats.remoteClusters).toBe(before + 1);
    // Same cluster, new bytes (another context name): a new connection; the old one goes with its last Sync.
    const changed = tokenKubeconfig(secondCluster().server, TOKEN(), secondCluster().caFile).replaceAll('"remote"', '"second"');
    await client.patch(`/api/v1/namespaces/${n}/secrets/cluster2`, { stringData: { value: changed } }, "merge");
    await client.patch(`${GITOPS}/namespaces/${n}/syncs/app`, { metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: new Date().toISOString() } } }, "merge");
    await waitFor("the reconcile with the new Secret", () => (logs.some((l) => l.includes("disconnected from a remote cluster") && l.includes(`Secret/${n}/cluster2`)) ? true : undefined), 15_000, 50);
    expect(syncs.targetStats.remoteClusters).toBe(before + 1);
    await client.delete(`${GITOPS}/namespaces/${n}/syncs/app`);
    await waitFor("the remote cluster to be dropped", () => (syncs.targetStats.remoteClusters === before ? true : undefined), 15_000, 50);
  });

  it("lets a deleted Sync go when its kubeConfig Secret is already gone (a namespace being deleted), leaving its objects, with a warning", async () => {
    const { n } = await setup("rm-fin", { "app/a.yaml": cm("a", "1") });
    await createSync(client, n, "app", LABELS, { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", kubeConfig: { secretRef: { name: "cluster2" } } });
    await waitReady(client, n, "app", "True");
    await client.delete(`/api/v1/namespaces/${n}/secrets/cluster2`);
    await client.delete(`${GITOPS}/namespaces/${n}/syncs/app`);
    await waitFor("the Sync to be gone", async () => ((await client.get(`${GITOPS}/namespaces/${n}/syncs/app`)) === undefined ? true : undefined), 15_000, 50);
    expect(await valueIn(remote, n, "a")).toBe("1");
    const events = await client.list<{ reason: string }>(`/api/v1/namespaces/${n}/events`);
    expect(events.items.some((e) => e.reason === "PruneSkipped")).toBe(true);
  });
});
