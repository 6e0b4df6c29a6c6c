/**
 * Tenants against the real API server: a Sync with `serviceAccountName`
 * applies as that ServiceAccount (audit log), a denied namespace gives
 * Ready=False naming the denial with nothing applied or pruned (the
 * preflight), and the two lockdown flags (`--default-service-account`,
 * `--no-cross-namespace-refs`). Two operators run, each taking only Syncs
 * with its label, so the default one and the locked-down one never meet.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import { ArtifactStore, SyncController, gitSourceController } from "../../../src/operator/gitops/index.js";
import { ProviderRegistry } from "../../../src/providers/index.js";
import { adminClient, createNamespace, deleteNamespace } from "../../support/bitnami.js";
import { applyCrdFiles, crdFile } from "../../support/crds.js";
import { createRepo } from "../../support/git.js";
import { describePeers, kubeAuditMark, kubeAuditSince, peerBin, uniqueName } from "../../support/peers.js";
import { commit } from "../../support/reconcile.js";
import { GITOPS, allowNamespacePatch, createGitSource, createSync, requestFetch, revisionOf, serviceAccountWithRole, waitReady } from "../../support/tenancy.js";

const CRDS = ["gitops.sigil.dev_gitsources.yaml", "gitops.sigil.dev_syncs.yaml"].map(crdFile);
const cm = (name: string, v: string, ns?: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${ns === undefined ? "" : `  namespace: ${ns}\n`}data:\n  v: "${v}"\n`;
const nsObject = (name: string, label: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n    tenant: "${label}"\n`;

describePeers("Sync tenancy: impersonation and the lockdown flags", () => {
  let client: HttpKubeClient;
  const managers: Manager[] = [];
  const caches: string[] = [];
  const namespaces: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const run = uniqueName("tn");
  const DEFAULT = { "sigil.test/operator": `${run}-default` };
  const LOCKED = { "sigil.test/operator": `${run}-locked` };

  function operator(labels: Record<string, string>, extra: { defaultServiceAccount?: string; noCrossNamespaceRefs?: boolean }): Manager {
    const logger = new Logger({ level: "warn", sink: () => undefined });
    const store = new ArtifactStore();
    const cache = mkdtempSync(join(tmpdir(), "sigil-tenancy-"));
    caches.push(cache);
    const manager = new Manager(client, { logger });
    manager.add(gitSourceController({ client, store, source: { cacheDir: cache }, logger, now: () => new Date() }));
    const labelSelector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
    manager.add(new SyncController({ client, store, logger, now: () => new Date(), kustomizeBin: peerBin("kustomize"), sealingKeyNamespace: "kube-system", providersFor: () => new ProviderRegistry(), labelSelector, ...extra }));
    managers.push(manager);
    return manager;
  }

  beforeAll(async () => {
    client = adminClient();
    await applyCrdFiles(client, CRDS);
    await operator(DEFAULT, {}).start();
    await operator(LOCKED, { defaultServiceAccount: "tenant-default", noCrossNamespaceRefs: true }).start();
  }, 60_000);

  // The CRDs are cluster-wide: a test on a branch without these fields may apply its older copy meanwhile (the API server would then drop them).
  beforeEach(async () => {
    await applyCrdFiles(client, CRDS);
  });

  afterAll(async () => {
    await Promise.all(managers.map((m) => m.stop()));
    for (const c of cleanups) await c().catch(() => undefined);
    await Promise.all(namespaces.map((n) => deleteNamespace(n, client)));
    for (const c of caches) rmSync(c, { recursive: true, force: true });
    client.close();
  });

  async function tenant(prefix: string, sa = "deployer"): Promise<{ n: string; other: string }> {
    const n = uniqueName(prefix);
    const other = uniqueName(`${prefix}-o`);
    for (const ns of [n, other]) {
      await createNamespace(ns, client);
      namespaces.push(ns);
    }
    await serviceAccountWithRole(client, n, sa, ["configmaps"]);
    return { n, other };
  }
  const value = async (ns: string, name: string): Promise<string | undefined> => (await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/${name}`))?.data?.["v"];

  it("applies as the ServiceAccount: every request of the Sync's objects carries its name (audit log)", async () => {
    const { n } = await tenant("tn-allow");
    const repo = createRepo(uniqueName("tn-allow"), { "app/a.yaml": cm("a", "1") });
    await createGitSource(client, n, "repo", repo.fileUrl);
    const mark = kubeAuditMark();
    await createSync(client, n, "app", DEFAULT, { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", serviceAccountName: "deployer" });
    await waitReady(client, n, "app", "True");
    const onObjects = (await kubeAuditSince(mark, client)).filter((e) => e.namespace === n && e.resource === "configmaps");
    expect(onObjects.length).toBeGreaterThanOrEqual(3); // preflight GET + dry-run, diff GET + dry-run, apply
    expect(onObjects.filter((e) => e.impersonatedUser !== `system:serviceaccount:${n}:deployer`)).toEqual([]);
    expect(await value(n, "a")).toBe("1");
  });

  it("refuses a set with one denied namespace: Ready=False naming the denial, an earlier-stage object allowed alone is not applied", async () => {
    const { n, other } = await tenant("tn-deny");
    cleanups.push(await allowNamespacePatch(client, n, "deployer", n));
    const repo = createRepo(uniqueName("tn-deny"), { "app/ns.yaml": nsObject(n, "one"), "app/a.yaml": cm("a", "1") });
    await createGitSource(client, n, "repo", repo.fileUrl);
    // selfHeal off: a drift repair (from the last applied set) would otherwise undo a partial write and hide it.
    await createSync(client, n, "app", DEFAULT, { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", serviceAccountName: "deployer", selfHeal: false });
    await waitReady(client, n, "app", "True");
    const sha = commit(repo, { "app/ns.yaml": nsObject(n, "two"), "app/a.yaml": cm("a", "2"), "app/x.yaml": cm("x", "1", other) });
    await requestFetch(client, n, "repo");
    const rev = await revisionOf(client, n, "repo", sha);
    const ready = await waitReady(client, n, "app", "False", "kube.forbidden", rev);
    expect(ready.message).toContain(`system:serviceaccount:${n}:deployer`);
    expect(ready.message, ready.message).toContain(`"${other}"`);
    // The Namespace (stage 1) and the ConfigMap in the allowed namespace would both be allowed: neither is written.
    const live = await client.get<{ metadata: { labels?: Record<string, string> } }>(`/api/v1/namespaces/${n}`);
    expect(live?.metadata.labels?.["tenant"]).toBe("one");
    expect(await value(n, "a")).toBe("1");
    expect(await value(other, "x")).toBeUndefined();
  });

  it("refuses a denied prune before applying anything (the ServiceAccount was added after an object in another namespace)", async () => {
    const { n, other } = await tenant("tn-prune");
    const repo = createRepo(uniqueName("tn-prune"), { "app/a.yaml": cm("a", "1"), "app/x.yaml": cm("x", "1", other) });
    await createGitSource(client, n, "repo", repo.fileUrl);
    await createSync(client, n, "app", DEFAULT, { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", selfHeal: false });
    await waitReady(client, n, "app", "True");
    expect(await value(other, "x")).toBe("1");
    const sha = commit(repo, { "app/a.yaml": cm("a", "2"), "app/x.yaml": null });
    await client.patch(`${GITOPS}/namespaces/${n}/syncs/app`, { spec: { serviceAccountName: "deployer" } }, "merge");
    await requestFetch(client, n, "repo");
    const rev = await revisionOf(client, n, "repo", sha);
    const ready = await waitReady(client, n, "app", "False", "kube.forbidden", rev);
    expect(ready.message).toMatch(/cannot delete/);
    expect(await value(other, "x")).toBe("1");
    expect(await value(n, "a")).toBe("1");
  });

  it("with --default-service-account, a Sync naming none impersonates the default: allowed in its namespace, denied elsewhere", async () => {
    const { n, other } = await tenant("tn-lock", "tenant-default");
    const repo = createRepo(uniqueName("tn-lock"), { "ok/a.yaml": cm("a", "1"), "bad/x.yaml": cm("x", "1", other) });
    await createGitSource(client, n, "repo", repo.fileUrl);
    await createSync(client, n, "ok", LOCKED, { sourceRef: { kind: "GitSource", name: "repo" }, path: "ok" });
    await createSync(client, n, "bad", LOCKED, { sourceRef: { kind: "GitSource", name: "repo" }, path: "bad" });
    await waitReady(client, n, "ok", "True");
    const denied = await waitReady(client, n, "bad", "False", "kube.forbidden");
    expect(denied.message).toContain(`system:serviceaccount:${n}:tenant-default`);
    expect(await value(n, "a")).toBe("1");
    expect(await value(other, "x")).toBeUndefined();
  });

  it("reads sourceRef.namespace: allowed by default, refused with --no-cross-namespace-refs and nothing applied", async () => {
    const { n, other } = await tenant("tn-xns", "tenant-default");
    const repo = createRepo(uniqueName("tn-xns"), { "app/a.yaml": cm("a", "1") });
    await createGitSource(client, other, "repo", repo.fileUrl);
    await createSync(client, n, "open", DEFAULT, { sourceRef: { kind: "GitSource", name: "repo", namespace: other }, path: "app", targetNamespace: n });
    await waitReady(client, n, "open", "True");
    await client.delete(`${GITOPS}/namespaces/${n}/syncs/open`);
    await new Promise((r) => setTimeout(r, 500)); // the operator forgets the Sync before its object goes (no drift repair)
    await client.delete(`/api/v1/namespaces/${n}/configmaps/a`);
    await createSync(client, n, "closed", LOCKED, { sourceRef: { kind: "GitSource", name: "repo", namespace: other }, path: "app" });
    const refused = await waitReady(client, n, "closed", "False", "sync.cross_namespace_ref");
    expect(refused.message).toContain(`'${other}'`);
    await new Promise((r) => setTimeout(r, 500));
    expect(await value(n, "a")).toBeUndefined();
  });
});
