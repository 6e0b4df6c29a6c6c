/**
 * Re-syncing an unchanged revision writes nothing, counted at the API
 * server's audit log: through the `syncs` controller (interval re-syncs make
 * no write and no per-object dry run; a requestedAt makes exactly the one
 * status write that acknowledges it; after a drift repair only the drifted
 * object is diffed again) and through `sigil sync --once` (no inventory
 * rewrite). Requests are told apart by user agent: the controllers run on
 * a client of their own, the harness on another. Objects whose status a
 * controller keeps updating (a Deployment) are not diffed again for that,
 * while an edit of what Sigil manages is still repaired, and a new key in the
 * decryption Secret makes the next re-sync decrypt again.
 */
import { generateIdentity } from "age-encryption";
import { afterAll, beforeAll, expect, it } from "vitest";
import { HttpKubeClient } from "../../../src/kube/index.js";
import { countBy, kubeAuditMark, kubeAuditSince, writes } from "../../support/audit.js";
import type { KubeAuditEvent } from "../../support/audit.js";
import { kubeConnection, TestNamespaces, waitFor } from "../../support/bitnami.js";
import { createRepo } from "../../support/git.js";
import { describePeers, uniqueName } from "../../support/peers.js";
import { AGE_RECIPIENT, sigilSync, sopsEncrypt } from "../../support/reconcile.js";
import { createSync, startSyncControllers, syncPath } from "../../support/sync-controllers.js";
import type { RunningControllers, SyncObject } from "../../support/sync-controllers.js";

const CANARY = "canary-resync-5e7a11";
const cm = (name: string, v = "1"): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "${v}"\n`;
const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${CANARY}\n`;
const files = (): Record<string, string> => ({ "app/a.yaml": cm("a"), "app/b.yaml": cm("b"), "app/s.yaml": sopsEncrypt(secret, "s.yaml", ["--age", AGE_RECIPIENT]) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const summary = (events: readonly KubeAuditEvent[]): Record<string, number> => countBy(events, (e) => `${e.verb} ${e.resource ?? "?"}${e.subresource === undefined ? "" : `/${e.subresource}`}${e.dryRun ? " (dry run)" : ""}`);

describePeers("re-sync of an unchanged revision", () => {
  // The harness's own requests (set-up, polling) carry another user agent than Sigil's.
  const client = new HttpKubeClient(kubeConnection(), { userAgent: "sigil-test-harness" });
  let controllers: RunningControllers;
  const namespaces = new TestNamespaces();

  beforeAll(async () => {
    controllers = await startSyncControllers(client);
  }, 60_000);

  afterAll(async () => {
    await controllers.stop();
    await namespaces.deleteAll(client);
    client.close();
  });

  const ns = (prefix: string): Promise<string> => namespaces.create(prefix, client);
  /** The controllers' requests during `fn`, as the API server logged them. */
  async function controllerRequests(fn: () => Promise<void>): Promise<KubeAuditEvent[]> {
    const mark = kubeAuditMark();
    await fn();
    return (await kubeAuditSince(mark, client)).filter((e) => e.userAgent === controllers.userAgent);
  }
  const inNamespace = (n: string) => (e: KubeAuditEvent): boolean => e.namespace === n;

  it("makes no write and no dry run on interval re-syncs through the controller", async () => {
    const n = await ns("resync-interval");
    await createSync(client, n, createRepo(uniqueName("resync-interval"), files()), { interval: "1s" });
    await sleep(2500); // the set-up's writes and the first re-syncs are over
    const events = (await controllerRequests(() => sleep(5000))).filter(inNamespace(n));
    const decryptionReads = events.filter((e) => e.verb === "get" && e.resource === "secrets" && e.name === "sops-keys");
    expect(decryptionReads.length, "re-syncs ran (each reads the decryption Secret)").toBeGreaterThanOrEqual(3);
    expect(summary(writes(events)), "writes during unchanged re-syncs").toEqual({});
    expect(summary(events.filter((e) => e.dryRun)), "per-object dry runs during unchanged re-syncs").toEqual({});
    const sync = await client.get<SyncObject>(syncPath(n));
    expect(JSON.stringify(sync)).not.toContain(CANARY);
    expect(controllers.logs.join("\n")).not.toContain(CANARY);
  });

  it("writes only the status that acknowledges a requestedAt, and records no Event", async () => {
    const n = await ns("resync-requested");
    await createSync(client, n, createRepo(uniqueName("resync-requested"), files()), {});
    await sleep(1500);
    const stamp = new Date().toISOString();
    const events = (await controllerRequests(async () => {
      await client.patch(syncPath(n), { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": stamp } } }, "merge");
      await waitFor("requestedAt handled", async () => ((await client.get<SyncObject>(syncPath(n)))?.status?.lastHandledReconcileAt === stamp ? true : undefined), 20_000, 20);
      await sleep(500);
    })).filter(inNamespace(n));
    expect(summary(writes(events))).toEqual({ "patch syncs/status": 1 });
    expect(events.filter((e) => e.dryRun)).toEqual([]);
  });

  it("after a drift repair diffs only the repaired object again, then goes back to no requests per object", async () => {
    const n = await ns("resync-drift");
    await createSync(client, n, createRepo(uniqueName("resync-drift"), files()), { interval: "1s" });
    await sleep(2500);
    const repair = (await controllerRequests(async () => {
      await client.patch(`/api/v1/namespaces/${n}/configmaps/a`, { data: { v: "edited" } }, "merge");
      await waitFor("the edit reverted", async () => ((await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${n}/configmaps/a`))?.data?.["v"] === "1" ? true : undefined), 10_000, 20);
      // Until the repair is recorded and 3 s pass without a write (the repair, and an interval re-sync that may have seen the edit first; slow on a loaded machine).
      await waitFor("the repair recorded", async () => ((await client.get<{ status?: { drift?: { objects?: unknown[] } } }>(syncPath(n)))?.status?.drift?.objects?.length ?? 0) > 0 ? true : undefined, 20_000, 50);
      await waitFor("the repair to settle", async () => (writes((await controllerRequests(() => sleep(3000))).filter(inNamespace(n))).length === 0 ? true : undefined), 60_000, 0);
    })).filter(inNamespace(n));
    const managed = (e: KubeAuditEvent): boolean => e.resource === "configmaps" || e.resource === "secrets";
    expect(new Set(writes(repair).filter(managed).map((e) => e.name))).toEqual(new Set(["a"]));
    expect(new Set(repair.filter((e) => e.dryRun).map((e) => e.name))).toEqual(new Set(["a"]));
    const quiet = (await controllerRequests(() => sleep(4000))).filter(inNamespace(n));
    expect(quiet.filter((e) => e.resource === "secrets" && e.name === "sops-keys").length, "re-syncs ran").toBeGreaterThanOrEqual(2);
    expect(summary(writes(quiet))).toEqual({});
    expect(summary(quiet.filter((e) => e.dryRun))).toEqual({});
  });

  it("does not diff a Deployment again for its status updates, and still repairs an edit of its labels or spec", async () => {
    const n = await ns("resync-status");
    const deployment = (replicas: number): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    tier: web\nspec:\n  replicas: ${String(replicas)}\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: registry.invalid/web:1\n`;
    await createSync(client, n, createRepo(uniqueName("resync-status"), { ...files(), "app/web.yaml": deployment(0) }), { interval: "1s" });
    const path = `/apis/apps/v1/namespaces/${n}/deployments/web`;
    await sleep(2500);
    // A controller's status updates during the window (as the deployment controller makes them): each gives the Deployment a new resourceVersion.
    const events = (await controllerRequests(async () => {
      for (let i = 1; i <= 4; i++) {
        await client.patch(`${path}/status`, { status: { observedGeneration: 1, replicas: 0, conditions: [{ type: "Available", status: "True", reason: `Bench${String(i)}`, lastUpdateTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] } }, "merge");
        await sleep(1200);
      }
      await sleep(1500);
    })).filter(inNamespace(n));
    expect(events.filter((e) => e.resource === "secrets" && e.name === "sops-keys").length, "re-syncs ran").toBeGreaterThanOrEqual(3);
    expect(summary(writes(events)), "writes during unchanged re-syncs").toEqual({});
    expect(summary(events.filter((e) => e.dryRun)), "a status update makes no diff").toEqual({});

    type Dep = { metadata?: { labels?: Record<string, string> }; spec?: { replicas?: number } };
    const repaired = (await controllerRequests(async () => {
      await client.patch(path, { metadata: { labels: { tier: "edited" } } }, "merge");
      await waitFor("the label edit reverted", async () => ((await client.get<Dep>(path))?.metadata?.labels?.["tier"] === "web" ? true : undefined), 15_000, 20);
      await client.patch(path, { spec: { replicas: 2 } }, "merge");
      await waitFor("the spec edit reverted", async () => ((await client.get<Dep>(path))?.spec?.replicas === 0 ? true : undefined), 15_000, 20);
    })).filter(inNamespace(n));
    expect(writes(repaired).filter((e) => e.resource === "deployments").length, "each edit is written back").toBeGreaterThanOrEqual(2);
  });

  it("decrypts again when the decryption Secret changes, and fails (pruning nothing) when the new key cannot decrypt", async () => {
    const n = await ns("resync-keys");
    await createSync(client, n, createRepo(uniqueName("resync-keys"), files()), { interval: "1s" });
    const keys = `/api/v1/namespaces/${n}/secrets/sops-keys`;
    const original = (await client.get<{ data: Record<string, string> }>(keys))?.data ?? {};
    // Another age identity: the re-sync must not take the render decrypted with the old one.
    await client.replace(keys, { apiVersion: "v1", kind: "Secret", metadata: { name: "sops-keys" }, stringData: { "identity.agekey": `${await generateIdentity()}\n` } });
    const failed = await waitFor("the Sync to fail to decrypt", async () => {
      const st = await client.get<SyncObject>(syncPath(n));
      return st?.status?.conditions?.find((c) => c.type === "Ready" && c.status === "False") ?? undefined;
    }, 20_000, 100);
    expect(failed.reason).toMatch(/^decrypt\./);
    expect(await client.get(`/api/v1/namespaces/${n}/secrets/db`), "nothing pruned after the failure").toBeDefined();
    await client.replace(keys, { apiVersion: "v1", kind: "Secret", metadata: { name: "sops-keys" }, data: original });
    await waitFor("Ready again with the old key", async () => ((await client.get<SyncObject>(syncPath(n)))?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true ? true : undefined), 20_000, 100);
  });

  it("sigil sync --once writes nothing (not even its inventory) when the revision is unchanged", async () => {
    const n = await ns("resync-cli");
    const repo = createRepo(uniqueName("resync-cli"), files());
    const first = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--prune"]);
    expect(first.code, first.stderr).toBe(0);
    const mark = kubeAuditMark();
    const again = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--prune"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/created 0, configured 0, unchanged 3, deleted 0/);
    const events = (await kubeAuditSince(mark, client)).filter((e) => e.userAgent === "sigil" && e.namespace === n);
    expect(events.length, "the CLI's requests are in the audit log").toBeGreaterThan(0);
    expect(summary(writes(events))).toEqual({});
    // "Write" here: a create, update, patch, delete or deletecollection without dryRun=All; the diffs are dry-run patches.
    expect(events.filter((e) => e.dryRun).length).toBe(3);
  });
});
