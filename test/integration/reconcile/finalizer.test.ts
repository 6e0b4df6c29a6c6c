/**
 * Deleting a Sync, against the real API server: the finalizer added on the
 * first reconcile prunes the inventory (prune: true), leaves everything with
 * prune: false or when suspended, never deletes an object that is not this
 * Sync's (relabelled, or never written by it after a failed apply) or is
 * annotated prune: disabled, deletes nothing with an unreadable inventory,
 * and keeps the Sync (and retries) while a delete is refused.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { HttpKubeClient } from "../../../src/kube/index.js";
import { kubeConnection, TestNamespaces, waitFor } from "../../support/bitnami.js";
import { createRepo } from "../../support/git.js";
import type { TestRepo } from "../../support/git.js";
import { describePeers, uniqueName } from "../../support/peers.js";
import { AGE_RECIPIENT, commit, sopsEncrypt } from "../../support/reconcile.js";
import { GITOPS, createSync, startSyncControllers, syncPath } from "../../support/sync-controllers.js";
import type { RunningControllers, SyncObject } from "../../support/sync-controllers.js";

const CANARY = "canary-finalizer-3c9d70";
const cm = (name: string, annotations = ""): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${annotations === "" ? "" : `  annotations:\n    ${annotations}\n`}data:\n  v: "1"\n`;
const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${CANARY}\n`;
const FILES = { "app/a.yaml": cm("a"), "app/b.yaml": cm("b"), "app/kept.yaml": cm("kept", "kustomize.toolkit.fluxcd.io/prune: disabled"), "app/s.yaml": sopsEncrypt(secret, "s.yaml", ["--age", AGE_RECIPIENT]) };
const ADMISSION = "/apis/admissionregistration.k8s.io/v1";

describePeers("deleting a Sync", () => {
  const client = new HttpKubeClient(kubeConnection(), { userAgent: "sigil-test-harness" });
  let controllers: RunningControllers;
  const namespaces = new TestNamespaces();
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    controllers = await startSyncControllers(client);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(cleanups.map((c) => c()));
    await controllers.stop();
    await namespaces.deleteAll(client);
    client.close();
  });

  async function synced(prefix: string, spec: Record<string, unknown> = {}): Promise<{ n: string; repo: TestRepo; sync: SyncObject }> {
    const n = await namespaces.create(prefix, client);
    const repo = createRepo(uniqueName(prefix), FILES);
    return { n, repo, sync: await createSync(client, n, repo, spec) };
  }
  const exists = async (n: string, kind: "configmaps" | "secrets", name: string): Promise<boolean> => (await client.get(`/api/v1/namespaces/${n}/${kind}/${name}`)) !== undefined;
  const present = async (n: string): Promise<string[]> => {
    const out: string[] = [];
    for (const name of ["a", "b", "kept", "c", "pre"]) if (await exists(n, "configmaps", name)) out.push(name);
    if (await exists(n, "secrets", "db")) out.push("db");
    return out;
  };
  async function deleteAndWait(n: string): Promise<void> {
    await client.delete(syncPath(n));
    await waitFor("the Sync to be gone", async () => ((await client.get(syncPath(n))) === undefined ? true : undefined), 30_000, 50);
  }
  const events = async (n: string): Promise<{ type: string; reason: string; message: string }[]> => (await client.list<{ type: string; reason: string; message: string }>(`/api/v1/namespaces/${n}/events`)).items;

  it("with prune: true deletes what it applied, but not an object annotated prune: disabled nor one another Sync took over", async () => {
    const { n, sync } = await synced("fin-prune");
    expect(sync.metadata.finalizers).toContain("gitops.sigil.dev/finalizer");
    // Another Sync's object now (the ownership labels say so): not ours to delete.
    await client.patch(`/api/v1/namespaces/${n}/configmaps/b`, { metadata: { labels: { "gitops.sigil.dev/sync-name": "other" } } }, "merge");
    await deleteAndWait(n);
    expect(await present(n)).toEqual(["b", "kept"]);
    const pruned = (await events(n)).find((e) => e.reason === "Pruned");
    expect(pruned?.message).toMatch(/2 objects deleted, 2 left/);
    expect(JSON.stringify(await events(n)) + controllers.logs.join("\n")).not.toContain(CANARY);
  });

  it("with prune: false leaves every object", async () => {
    const { n } = await synced("fin-keep", { prune: false });
    await deleteAndWait(n);
    expect(await present(n)).toEqual(["a", "b", "kept", "db"]);
    expect((await events(n)).some((e) => e.reason === "PruneSkipped" && /prune disabled/.test(e.message))).toBe(true);
  });

  it("leaves every object when the Sync is suspended, as Flux does", async () => {
    const { n } = await synced("fin-suspended");
    await client.patch(syncPath(n), { spec: { suspend: true } }, "merge");
    await deleteAndWait(n);
    expect(await present(n)).toEqual(["a", "b", "kept", "db"]);
  });

  it("deletes nothing when the inventory cannot be read", async () => {
    const { n, sync } = await synced("fin-unreadable");
    await client.patch(`${syncPath(n)}/status`, { status: { inventory: { version: 99, entries: sync.status?.inventory?.entries ?? [] } } }, "merge");
    await deleteAndWait(n);
    expect(await present(n)).toEqual(["a", "b", "kept", "db"]);
    expect((await events(n)).some((e) => e.type === "Warning" && e.reason === "PruneSkipped")).toBe(true);
  });

  it("after a failed apply prunes what it applied, and leaves an object of the failed set it never wrote", async () => {
    const { n, repo } = await synced("fin-failed");
    // `pre` exists already and is not Sigil's; the commit adds it with an object the API server refuses, so the apply fails before any write.
    await client.create(`/api/v1/namespaces/${n}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "pre" }, data: { v: "mine" } });
    commit(repo, { "app/pre.yaml": cm("pre"), "app/bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NotValid\n" });
    await client.patch(`${GITOPS}/namespaces/${n}/gitsources/repo`, { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } } }, "merge");
    const failed = await waitFor("the apply to fail", async () => {
      const s = await client.get<SyncObject>(syncPath(n));
      return s?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "False") === true ? s : undefined;
    }, 30_000, 50);
    expect(failed.status?.inventory?.entries.map((e) => e.id), JSON.stringify(failed.status?.conditions)).toContain(`${n}_pre__ConfigMap`);
    await deleteAndWait(n);
    expect(await present(n)).toEqual(["kept", "pre"]);
  });

  it("keeps the Sync, its finalizer and the refused object while a delete is refused, and finishes once it is allowed", async () => {
    const { n } = await synced("fin-refused", { retryInterval: "1s" });
    const policy = uniqueName("sigil-test-deny-delete");
    await client.create(`${ADMISSION}/validatingadmissionpolicies`, {
      apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: policy },
      spec: { failurePolicy: "Fail", matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["DELETE"], resources: ["configmaps"] }] }, validations: [{ expression: "oldObject.metadata.name != 'a'", message: "the test refuses this delete" }] },
    });
    cleanups.push(() => client.delete(`${ADMISSION}/validatingadmissionpolicies/${policy}`));
    await client.create(`${ADMISSION}/validatingadmissionpolicybindings`, {
      apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: policy },
      spec: { policyName: policy, validationActions: ["Deny"], matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } } },
    });
    cleanups.push(() => client.delete(`${ADMISSION}/validatingadmissionpolicybindings/${policy}`));
    await waitFor("the policy to refuse deletes", async () => {
      try {
        await client.delete(`/api/v1/namespaces/${n}/configmaps/a`, { dryRun: "All" });
        return undefined;
      } catch {
        return true;
      }
    }, 30_000, 200);
    await client.delete(syncPath(n));
    await waitFor("a refused delete reported", async () => ((await events(n)).some((e) => e.type === "Warning" && e.reason === "prune.failed") ? true : undefined), 20_000, 100);
    await new Promise((r) => setTimeout(r, 1500));
    const stuck = await client.get<SyncObject>(syncPath(n));
    expect(stuck?.metadata.deletionTimestamp).toBeDefined();
    expect(stuck?.metadata.finalizers).toContain("gitops.sigil.dev/finalizer");
    expect(await present(n)).toEqual(["a", "kept"]);
    await client.delete(`${ADMISSION}/validatingadmissionpolicybindings/${policy}`);
    await waitFor("the Sync to be gone once the delete is allowed", async () => ((await client.get(syncPath(n))) === undefined ? true : undefined), 30_000, 100);
    expect(await present(n)).toEqual(["kept"]);
  });
});
