/**
 * The `syncs` controller after a restart, against a real API server: a new
 * process has no artifact until its GitSource is fetched again, and a Sync
 * that is Ready must keep its status meanwhile (no flap to "source not
 * ready" on every restart); after the grace, a missing artifact is reported.
 *
 * Runs on the environment's second cluster: no other test runs GitOps
 * controllers there, so nothing else reconciles these Syncs while the test
 * watches their status (the primary cluster has controllers of other tests
 * watching every namespace).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { HttpKubeClient, kubeconfigConnection } from "../../../src/kube/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import { ArtifactStore, SyncController, gitSourceController } from "../../../src/operator/gitops/index.js";
import { ProviderRegistry } from "../../../src/providers/index.js";
import { countBy, kubeAuditMark, kubeAuditSince } from "../../support/audit.js";
import { waitFor } from "../../support/bitnami.js";
import { applyCrdFiles, crdFile } from "../../support/crds.js";
import { createRepo } from "../../support/git.js";
import { describePeers, peerBin, secondCluster, uniqueName } from "../../support/peers.js";

const API = "/apis/gitops.sigil.dev/v1alpha1";
const CRDS = ["gitops.sigil.dev_gitsources.yaml", "gitops.sigil.dev_syncs.yaml"].map(crdFile);
const quiet = new Logger({ sink: () => undefined });

interface SyncStatus { status?: { conditions?: { type: string; status: string; reason: string }[] } }

describePeers("the syncs controller after a restart (second cluster)", () => {
  let client: HttpKubeClient;
  let userAgent: string;
  let cache: string;
  const ns = uniqueName("restart");

  beforeAll(async () => {
    const connection = kubeconfigConnection(secondCluster().kubeconfig);
    if (connection === undefined) throw new Error("the second cluster's kubeconfig needs a plugin");
    userAgent = uniqueName("sigil-restart-test");
    client = new HttpKubeClient(connection, { userAgent });
    cache = mkdtempSync(join(tmpdir(), "sigil-restart-cache-"));
    await applyCrdFiles(client, CRDS);
    await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    const repo = createRepo(ns, { "app/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: \"1\"\n" });
    await client.create(`${API}/namespaces/${ns}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name: "repo" }, spec: { url: repo.fileUrl, ref: { branch: "main" }, interval: "1h" } });
    await client.create(`${API}/namespaces/${ns}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "app" }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", interval: "1h" } });
  }, 60_000);

  afterAll(async () => {
    // No controller runs any more: drop the Sync's finalizer so that the namespace can go.
    await client.patch(`${API}/namespaces/${ns}/syncs/app`, { metadata: { finalizers: null } }, "merge").catch(() => undefined);
    await client.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
    rmSync(cache, { recursive: true, force: true });
    client.close();
  });

  /** Run a manager (a fresh in-memory store, as a new process) with the syncs controller, and the gitsources one if asked. */
  async function operator(withSources: boolean, sourceGraceMs?: number): Promise<Manager> {
    const store = new ArtifactStore();
    const manager = new Manager(client, { logger: quiet });
    if (withSources) manager.add(gitSourceController({ client, store, source: { cacheDir: cache }, logger: quiet, now: () => new Date() }));
    manager.add(new SyncController({ client, store, logger: quiet, now: () => new Date(), kustomizeBin: peerBin("kustomize"), sealingKeyNamespace: "kube-system", providersFor: () => new ProviderRegistry(), sourceGraceMs }));
    await manager.start();
    return manager;
  }
  const ready = async (): Promise<{ status: string; reason: string } | undefined> => (await client.get<SyncStatus>(`${API}/namespaces/${ns}/syncs/app`))?.status?.conditions?.find((c) => c.type === "Ready");

  it("keeps a Ready Sync's status while the new process has no artifact yet, and reports it after the grace", async () => {
    const first = await operator(true);
    await waitFor("the Sync Ready", async () => ((await ready())?.status === "True" ? true : undefined), 60_000, 100);
    await first.stop();

    const mark = kubeAuditMark("kube2");
    const restarted = await operator(false); // its GitSource is never fetched: the artifact stays missing
    await restarted.idle();
    await new Promise((r) => setTimeout(r, 1000));
    await restarted.stop();
    const mine = (await kubeAuditSince(mark, client)).filter((e) => e.userAgent === userAgent && e.resource === "syncs");
    expect(countBy(mine.filter((e) => e.subresource === "status"), (e) => e.verb)).toEqual({});
    expect(await ready()).toMatchObject({ status: "True" });

    const late = await operator(false, 0);
    await waitFor("source.not_ready after the grace", async () => ((await ready())?.reason === "source.not_ready" ? true : undefined), 30_000, 100);
    await late.stop();
  }, 120_000);
});
