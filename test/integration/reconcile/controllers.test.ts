/**
 * The `gitsources` and `syncs` controllers on the runtime's manager against
 * the real API server: a GitSource fetched, a Sync applied with a Flux-style
 * decryption Secret, drift (an edit, a deletion) reverted by watching,
 * detect-only mode reporting without changing anything, requestedAt, and
 * an Event with the counts.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { adminClient, TestNamespaces, waitFor } from "../../support/bitnami.js";
import { createRepo } from "../../support/git.js";
import { describePeers, uniqueName } from "../../support/peers.js";
import { AGE_KEY_FILE, AGE_RECIPIENT, commit, sopsEncrypt } from "../../support/reconcile.js";
import { startSyncControllers } from "../../support/sync-controllers.js";
import type { RunningControllers } from "../../support/sync-controllers.js";

const CANARY = "canary-controller-41ab";
const cm = (name: string, v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "${v}"\n`;
const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${CANARY}\n`;

describePeers("the GitSource and Sync controllers", () => {
  let client: HttpKubeClient;
  let controllers: RunningControllers;
  let logs: string[] = [];
  const namespaces = new TestNamespaces();

  beforeAll(async () => {
    client = adminClient();
    controllers = await startSyncControllers(client);
    logs = controllers.logs;
  }, 60_000);

  afterAll(async () => {
    await controllers.stop();
    await namespaces.deleteAll(client);
    client.close();
  });

  async function setup(prefix: string, selfHeal: boolean): Promise<{ n: string; repo: ReturnType<typeof createRepo> }> {
    const n = await namespaces.create(prefix, client);
    const repo = createRepo(uniqueName(prefix), { "app/a.yaml": cm("a", "1"), "app/s.yaml": sopsEncrypt(secret, "s.yaml", ["--age", AGE_RECIPIENT]) });
    await client.create(`/api/v1/namespaces/${n}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "sops-keys" }, stringData: { "identity.agekey": readFileSync(AGE_KEY_FILE, "utf8") } });
    await client.create(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name: "repo" }, spec: { url: repo.fileUrl, ref: { branch: "main" }, interval: "1h" } });
    await client.create(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "app" }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", interval: "1h", selfHeal, decryption: { secretRef: { name: "sops-keys" } } } });
    await waitFor("the Sync to be ready", async () => {
      const s = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/syncs/app`);
      return s?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true ? true : undefined;
    }, 30_000, 100);
    return { n, repo };
  }
  const value = async (n: string): Promise<string | undefined> => (await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${n}/configmaps/a`))?.data?.["v"];

  it("fetches, applies with the Flux-style decryption Secret, records status, inventory and one Event with counts", async () => {
    const { n } = await setup("ctrl-apply", true);
    const gs = await client.get<{ status: { artifact: { revision: string } } }>(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/gitsources/repo`);
    expect(gs?.status.artifact.revision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    const sync = await client.get<{ status: Record<string, unknown> }>(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/syncs/app`);
    expect(sync?.status["lastAppliedRevision"]).toBe(gs?.status.artifact.revision);
    expect((sync?.status["inventory"] as { entries: { id: string }[] }).entries.map((e) => e.id)).toEqual([`${n}_a__ConfigMap`, `${n}_db__Secret`]);
    const s = await client.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${n}/secrets/db`);
    expect(Buffer.from(s?.data["password"] ?? "", "base64").toString()).toBe(CANARY);
    const events = await client.list<{ reason: string; message: string }>(`/api/v1/namespaces/${n}/events`);
    expect(events.items.some((e) => e.reason === "ReconciliationSucceeded" && /created 2, configured 0, unchanged 0, deleted 0/.test(e.message))).toBe(true);
    const everything = JSON.stringify(sync) + JSON.stringify(events.items) + logs.join("\n");
    for (const form of [CANARY, Buffer.from(CANARY).toString("base64")]) expect(everything).not.toContain(form);
  });

  it("reverts an edit and a deletion of a managed object by watching", async () => {
    const { n } = await setup("ctrl-drift", true);
    await client.patch(`/api/v1/namespaces/${n}/configmaps/a`, { data: { v: "edited" } }, "merge");
    const t0 = Date.now();
    await waitFor("the edit to be reverted", async () => ((await value(n)) === "1" ? true : undefined), 10_000, 20);
    const revertMs = Date.now() - t0;
    await client.delete(`/api/v1/namespaces/${n}/configmaps/a`);
    await waitFor("the deleted object to come back", async () => ((await value(n)) === "1" ? true : undefined), 10_000, 20);
    const sync = await client.get<{ status: { drift?: { objects?: { id: string; change: string; corrected: boolean }[] } } }>(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/syncs/app`);
    await waitFor("drift in status", async () => ((await client.get<{ status: { drift?: { objects?: unknown[] } } }>(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/syncs/app`))?.status.drift?.objects?.length ?? 0) >= 2 ? true : undefined, 10_000, 50);
    expect(sync).toBeDefined();
    process.stderr.write(`drift revert took ${revertMs} ms\n`);
  });

  it("repairs one drifted object alone, from the last applied set, without a whole reconcile (no new reconcile Event)", async () => {
    const { n } = await setup("ctrl-repair", true);
    const reconciles = async (): Promise<number> => {
      const events = await client.list<{ reason: string; count?: number; series?: { count?: number } }>(`/api/v1/namespaces/${n}/events`);
      return events.items.filter((e) => e.reason === "ReconciliationSucceeded").reduce((sum, e) => sum + Math.max(e.count ?? 1, e.series?.count ?? 1), 0);
    };
    // Wait until the set-up's reconciles have settled (the count holds for 1.5 s).
    let before = -1;
    await waitFor("the reconciles of the set-up to settle", async () => {
      const now = await reconciles();
      await new Promise((r) => setTimeout(r, 1500));
      const stable = now >= 1 && now === (await reconciles());
      before = now;
      return stable ? true : undefined;
    }, 30_000, 50);
    await client.patch(`/api/v1/namespaces/${n}/configmaps/a`, { data: { v: "edited" } }, "merge");
    await waitFor("the edit to be reverted", async () => ((await value(n)) === "1" ? true : undefined), 10_000, 20);
    await waitFor("the repair in the drift status", async () => {
      const s = await client.get<{ status: { drift?: { objects?: { id: string; corrected: boolean }[] } } }>(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/syncs/app`);
      return s?.status.drift?.objects?.some((o) => o.id === `${n}_a__ConfigMap` && o.corrected) === true ? true : undefined;
    }, 10_000, 50);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await reconciles()).toBe(before);
    expect(logs.join("\n")).not.toContain("drift repair failed");
  });

  it("in detect-only mode reports drift in status and changes nothing", async () => {
    const { n } = await setup("ctrl-detect", false);
    await client.patch(`/api/v1/namespaces/${n}/configmaps/a`, { data: { v: "edited" } }, "merge");
    await waitFor("drift reported", async () => {
      const s = await client.get<{ status: { drift?: { objects?: { id: string; change: string; corrected?: boolean }[] } } }>(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/syncs/app`);
      return s?.status.drift?.objects?.find((o) => o.id === `${n}_a__ConfigMap` && o.change === "Modified" && o.corrected === false);
    }, 10_000, 50);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await value(n)).toBe("edited");
  });

  it("does not take a reconcile's own writes for drift while it runs on (here: waiting for health), so nothing of the previous revision is put back", async () => {
    const { n, repo } = await setup("ctrl-own", true);
    const sync = `/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/syncs/app`;
    await client.patch(sync, { spec: { wait: true, timeout: "6s" } }, "merge");
    // No kubelet here: the Deployment never becomes ready, so the reconcile waits for its health until the timeout, after its writes.
    const web = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: registry.invalid/web:1}]}\n";
    const head = commit(repo, { "app/a.yaml": cm("a", "2"), "app/web.yaml": web });
    await client.patch(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/gitsources/repo`, { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } } }, "merge");
    await waitFor("the new commit attempted", async () => ((await client.get<{ status?: { lastAttemptedRevision?: string } }>(sync))?.status?.lastAttemptedRevision?.endsWith(head) === true ? true : undefined), 30_000, 50);
    expect(await value(n)).toBe("2");
    expect(logs.filter((l) => l.includes("drift: correcting") && l.includes(`${n}/app`))).toEqual([]);
  });

  it("fetches and applies a new commit at once when requestedAt changes", async () => {
    const { n, repo } = await setup("ctrl-req", true);
    const head = commit(repo, { "app/a.yaml": cm("a", "2") });
    await client.patch(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/gitsources/repo`, { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } } }, "merge");
    await waitFor("the new commit applied", async () => ((await value(n)) === "2" ? true : undefined), 15_000, 50);
    // The reconcile's own write is not drift: no repair from the previous set puts "1" back (it did, while the reconcile ran on).
    await waitFor("the reconcile done", async () => ((await client.get<{ status?: { lastAppliedRevision?: string } }>(`/apis/gitops.sigil.dev/v1alpha1/namespaces/${n}/syncs/app`))?.status?.lastAppliedRevision?.endsWith(head) === true ? true : undefined), 15_000, 50);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await value(n)).toBe("2");
    expect(logs.filter((l) => l.includes("drift: correcting") && l.includes(`${n}/app`))).toEqual([]);
  });
});
