/**
 * Argo CD's sync waves and hooks through `reconcile()` against the real API
 * server. No kubelet runs, so a hook Job never finishes by itself: the test
 * writes the Job's status through its status subresource (the conditions
 * Kubernetes 1.34 requires: `SuccessCriteriaMet` + `Complete`, or
 * `FailureTarget` + `Failed`, with `startTime` / `completionTime`), and the
 * reconciler must react to it as to a real run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ResourceManager } from "../../../src/kube/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { reconcile } from "../../../src/reconcile/index.js";
import type { InventoryStatus, ReconcileResult, SyncPlan } from "../../../src/reconcile/index.js";
import { adminClient, TestNamespaces, waitFor } from "../../support/bitnami.js";
import { describePeers, kubeAuditMark, kubeAuditSince, peerBin, writes } from "../../support/peers.js";

const CANARY = "canary-hooks-5e7a13";
const EMPTY: InventoryStatus = { version: 1, entries: [] };

const meta = (name: string, ann: Record<string, string>): string => {
  const lines = Object.entries(ann).map(([k, v]) => `    ${k}: "${v}"`);
  const id = name.endsWith("-") ? `generateName: ${name}` : `name: ${name}`;
  return `metadata:\n  ${id}\n${lines.length > 0 ? `  annotations:\n${lines.join("\n")}\n` : ""}`;
};
const cm = (name: string, ann: Record<string, string> = {}): string => `apiVersion: v1\nkind: ConfigMap\n${meta(name, ann)}data:\n  v: "1"\n`;
const job = (name: string, ann: Record<string, string>): string =>
  `apiVersion: batch/v1\nkind: Job\n${meta(name, ann)}spec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: registry.invalid/hook:1\n        env:\n        - name: TOKEN\n          value: ${CANARY}\n`;
const hook = (phase: string, policy?: string, wave?: number): Record<string, string> => ({
  "argocd.argoproj.io/hook": phase,
  ...(policy === undefined ? {} : { "argocd.argoproj.io/hook-delete-policy": policy }),
  ...(wave === undefined ? {} : { "argocd.argoproj.io/sync-wave": String(wave) }),
});
const wave = (w: number): Record<string, string> => ({ "argocd.argoproj.io/sync-wave": String(w) });

describePeers("sync waves and Argo CD hooks against the real API server", () => {
  let client: HttpKubeClient;
  let manager: ResourceManager;
  const namespaces = new TestNamespaces();
  const dirs: string[] = [];
  beforeAll(() => {
    client = adminClient();
    manager = new ResourceManager({ client });
  });
  afterAll(async () => {
    await namespaces.deleteAll(client);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    client.close();
  });

  const ns = (prefix: string): Promise<string> => namespaces.create(prefix, client);

  function sync(n: string, files: Record<string, string>, previous: InventoryStatus = EMPTY, extra: Partial<SyncPlan> = {}): Promise<ReconcileResult> {
    const dir = mkdtempSync(join(tmpdir(), "sigil-order-"));
    dirs.push(dir);
    mkdirSync(join(dir, "app"));
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, "app", f), text);
    const plan: SyncPlan = { path: "app", targetNamespace: undefined, defaultNamespace: n, prune: true, allowEmpty: false, force: false, wait: false, healthChecks: [], timeoutMs: 30_000, sealedSecrets: "Controller", dryRun: false, owner: { name: "order", namespace: n }, ...extra };
    return reconcile(plan, previous, { source: () => Promise.resolve({ url: "file:///order", revision: "main@sha1:0123456789abcdef0123456789abcdef01234567", commit: "0123456789abcdef0123456789abcdef01234567", dir, cached: false }), manager, render: { kustomizeBin: peerBin("kustomize") }, decrypt: {} });
  }

  const jobPath = (n: string, name: string): string => `/apis/batch/v1/namespaces/${n}/jobs/${name}`;
  const exists = async (path: string): Promise<boolean> => (await client.get(path)) !== undefined;
  const uid = async (path: string): Promise<string | undefined> => (await client.get<{ metadata: { uid: string } }>(path))?.metadata.uid;

  /** What the Job controller and kubelet would write when the run ends. */
  async function finishJob(n: string, name: string, outcome: "Complete" | "Failed", notBefore?: string): Promise<void> {
    // One read per look: two could see the old Job and then none (deleted before its replacement is created).
    await waitFor(`Job ${name} to be created`, async () => {
      const seen = await uid(jobPath(n, name));
      return seen !== undefined && seen !== notBefore ? true : undefined;
    }, 20_000, 50);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const c = (type: string, reason: string): Record<string, string> => ({ type, status: "True", reason, message: `the run printed ${CANARY}`, lastTransitionTime: now, lastProbeTime: now });
    const status = outcome === "Complete"
      ? { startTime: now, completionTime: now, succeeded: 1, conditions: [c("SuccessCriteriaMet", "CompletionsReached"), c("Complete", "CompletionsReached")] }
      : { startTime: now, failed: 1, conditions: [c("FailureTarget", "BackoffLimitExceeded"), c("Failed", "BackoffLimitExceeded")] };
    await client.patch(`${jobPath(n, name)}/status`, { status }, "merge");
  }

  /** The generated name of the one Job whose name starts with `prefix`. */
  async function generated(n: string, prefix: string): Promise<string> {
    return waitFor(`a Job named ${prefix}*`, async () => (await client.list<{ metadata: { name: string } }>(`/apis/batch/v1/namespaces/${n}/jobs`)).items.map((j) => j.metadata.name).find((x) => x.startsWith(prefix)), 20_000, 50);
  }

  it("applies waves in order (lower first, negative allowed), and with wait holds the next wave until the previous one is healthy", async () => {
    const n = await ns("order-waves");
    const mark = kubeAuditMark();
    const running = sync(n, { "a.yaml": cm("zero"), "b.yaml": cm("minus", wave(-1)), "c.yaml": job("gate", wave(1)), "d.yaml": cm("two", wave(2)), "e.yaml": cm("one", wave(1)) }, EMPTY, { wait: true });
    await waitFor("the wave-1 Job", async () => ((await exists(jobPath(n, "gate"))) ? true : undefined), 20_000, 50);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/two`)).toBe(false);
    await finishJob(n, "gate", "Complete");
    const result = await running;
    expect(result.ok, result.error?.describe()).toBe(true);
    const order = writes(await kubeAuditSince(mark, client)).filter((e) => e.namespace === n && e.verb === "patch" && e.subresource === undefined).map((e) => e.name);
    expect(order).toEqual(["minus", "zero", "one", "gate", "two"]);
    expect(result.inventory.entries.map((e) => e.id).sort()).toEqual([`${n}_gate_batch_Job`, `${n}_minus__ConfigMap`, `${n}_one__ConfigMap`, `${n}_two__ConfigMap`, `${n}_zero__ConfigMap`]);
  });

  it("refuses a wave that is not an integer, naming the object, and applies nothing", async () => {
    const n = await ns("order-badwave");
    const result = await sync(n, { "a.yaml": cm("a"), "b.yaml": cm("b", { "argocd.argoproj.io/sync-wave": "1e3" }) });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe("sync.invalid_wave");
    expect(result.error?.subject).toBe("ConfigMap/b");
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/a`)).toBe(false);
  });

  it("a failed PreSync hook stops the sync: nothing applied or pruned, the inventory kept, and the SyncFail hook (generateName) runs", async () => {
    const n = await ns("order-presync");
    const first = await sync(n, { "old.yaml": cm("old") });
    expect(first.ok).toBe(true);
    const running = sync(n, { "new.yaml": cm("new"), "pre.yaml": job("migrate", hook("PreSync")), "fail.yaml": job("cleanup-", hook("SyncFail", "HookSucceeded")) }, first.inventory);
    await waitFor("the PreSync Job", async () => ((await exists(jobPath(n, "migrate"))) ? true : undefined), 20_000, 50);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/new`)).toBe(false);
    await finishJob(n, "migrate", "Failed");
    const cleanup = await generated(n, "cleanup-");
    await finishJob(n, cleanup, "Complete");
    const result = await running;
    expect(result.ok).toBe(false);
    expect(result.stage).toBe("hook");
    expect(result.error?.code).toBe("hook.failed");
    expect(result.error?.subject).toBe(`Job/${n}/migrate`);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/new`)).toBe(false);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/old`)).toBe(true);
    expect(result.inventory.entries.map((e) => e.id)).toEqual(first.inventory.entries.map((e) => e.id));
    expect(result.hooks).toEqual([
      { phase: "PreSync", subject: `Job/${n}/migrate`, outcome: "Failed", reason: "BackoffLimitExceeded", deleted: false },
      { phase: "SyncFail", subject: `Job/${n}/${cleanup}`, outcome: "Succeeded", deleted: true },
    ]);
    await waitFor("the SyncFail Job deleted (HookSucceeded)", async () => ((await exists(jobPath(n, cleanup))) ? undefined : true), 10_000, 50);
    const text = JSON.stringify(result) + (result.error?.describe() ?? "");
    for (const form of [CANARY, Buffer.from(CANARY).toString("base64")]) expect(text).not.toContain(form);
  });

  it("runs Sync hooks with their wave and PostSync hooks after everything is applied; HookSucceeded deletes them; hooks stay out of the inventory and are never pruned", async () => {
    const n = await ns("order-post");
    const running = sync(n, { "a.yaml": cm("a"), "late.yaml": cm("late", wave(1)), "s.yaml": job("during", hook("Sync", "HookSucceeded")), "p.yaml": job("after", hook("PostSync", "HookSucceeded")) });
    await waitFor("the Sync hook", async () => ((await exists(jobPath(n, "during"))) ? true : undefined), 20_000, 50);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/a`)).toBe(true);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/late`)).toBe(false);
    expect(await exists(jobPath(n, "after"))).toBe(false);
    await finishJob(n, "during", "Complete");
    await waitFor("the PostSync hook", async () => ((await exists(jobPath(n, "after"))) ? true : undefined), 20_000, 50);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/late`)).toBe(true);
    await finishJob(n, "after", "Complete");
    const result = await running;
    expect(result.ok, result.error?.describe()).toBe(true);
    expect(result.hooks?.map((h) => `${h.phase} ${h.subject} ${h.outcome} ${String(h.deleted)}`)).toEqual([`Sync Job/${n}/during Succeeded true`, `PostSync Job/${n}/after Succeeded true`]);
    expect(result.inventory.entries.map((e) => e.id)).toEqual([`${n}_a__ConfigMap`, `${n}_late__ConfigMap`]);
    expect(result.changes.map((c) => c.name).sort()).toEqual(["a", "late"]);
    await waitFor("both hooks deleted", async () => ((await exists(jobPath(n, "during"))) || (await exists(jobPath(n, "after"))) ? undefined : true), 10_000, 50);
  });

  it("delete policies: none given is BeforeHookCreation (kept, replaced on the next sync); HookFailed deletes a failed hook; HookSucceeded keeps a failed one", async () => {
    const n = await ns("order-policy");
    const files = { "a.yaml": cm("a"), "keep.yaml": job("keep", hook("PreSync")) };
    const one = sync(n, files);
    await finishJob(n, "keep", "Complete");
    expect((await one).ok).toBe(true);
    const firstUid = await uid(jobPath(n, "keep"));
    expect(firstUid).toBeDefined();
    const two = sync(n, files, (await one).inventory);
    await finishJob(n, "keep", "Complete", firstUid);
    const second = await two;
    expect(second.ok, second.error?.describe()).toBe(true);
    expect(await uid(jobPath(n, "keep"))).not.toBe(firstUid);

    const three = sync(n, { "a.yaml": cm("a"), "hf.yaml": job("hf", hook("PreSync", "HookFailed")), "hs.yaml": job("hs", hook("PreSync", "HookSucceeded")) }, second.inventory);
    await finishJob(n, "hf", "Failed");
    await finishJob(n, "hs", "Failed");
    const third = await three;
    expect(third.ok).toBe(false);
    expect(third.hooks?.map((h) => `${h.subject} ${h.outcome} ${String(h.deleted)}`)).toEqual([`Job/${n}/hf Failed true`, `Job/${n}/hs Failed false`]);
    await waitFor("the HookFailed Job gone", async () => ((await exists(jobPath(n, "hf"))) ? undefined : true), 10_000, 50);
    expect(await exists(jobPath(n, "hs"))).toBe(true);
  });

  it("a Sync hook that does not finish in time fails its wave: later waves are not applied, nothing is pruned, and a SyncFail hook of another kind runs", async () => {
    const n = await ns("order-timeout");
    const first = await sync(n, { "old.yaml": cm("old") });
    const result = await sync(n, { "a.yaml": cm("a"), "later.yaml": cm("later", wave(1)), "s.yaml": job("slow", hook("Sync")), "f.yaml": cm("failed-marker", hook("SyncFail")) }, first.inventory, { timeoutMs: 1500 });
    expect(result.ok).toBe(false);
    expect(result.stage).toBe("apply");
    expect(result.error?.code).toBe("hook.failed");
    expect(result.error?.describe()).toBe(`Job/${n}/slow: the Sync hook did not finish within 1500 ms [hook.failed]`);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/a`)).toBe(true);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/later`)).toBe(false);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/old`)).toBe(true);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/failed-marker`)).toBe(true);
    expect(result.hooks?.map((h) => `${h.phase} ${h.subject} ${h.outcome}`)).toEqual([`Sync Job/${n}/slow TimedOut`, `SyncFail ConfigMap/${n}/failed-marker Succeeded`]);
  });

  it("an object that turns into a hook or Skip leaves the inventory but is not pruned (it is still in Git)", async () => {
    const n = await ns("order-skip");
    const first = await sync(n, { "a.yaml": cm("a"), "s.yaml": cm("s"), "h.yaml": cm("h") });
    expect(first.inventory.entries).toHaveLength(3);
    const second = await sync(n, { "a.yaml": cm("a"), "s.yaml": cm("s", { "argocd.argoproj.io/hook": "Skip" }), "h.yaml": cm("h", hook("PostSync", "HookFailed")) }, first.inventory);
    expect(second.ok, second.error?.describe()).toBe(true);
    expect(second.inventory.entries.map((e) => e.id)).toEqual([`${n}_a__ConfigMap`]);
    expect(second.changes.filter((c) => c.action === "deleted")).toEqual([]);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/s`)).toBe(true);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/h`)).toBe(true);
  });

  it("refuses generateName on an object that is not a hook, naming the file", async () => {
    const n = await ns("order-genname");
    const result = await sync(n, { "a.yaml": cm("a"), "g.yaml": cm("plain-") });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe("render.invalid_yaml");
    expect(result.error?.subject).toMatch(/g\.yaml/);
    expect(await exists(`/api/v1/namespaces/${n}/configmaps/a`)).toBe(false);
  });

  it("runs no hook when hooks are off (an unchanged re-sync) or in a dry run, and never reports a hook as drift", async () => {
    const n = await ns("order-nohooks");
    const result = await sync(n, { "a.yaml": cm("a"), "pre.yaml": job("pre", hook("PreSync")) }, EMPTY, { hooks: false });
    expect(result.ok, result.error?.describe()).toBe(true);
    expect(await exists(jobPath(n, "pre"))).toBe(false);
    const dry = await sync(n, { "a.yaml": cm("a"), "pre.yaml": job("pre", hook("PreSync")) }, result.inventory, { dryRun: true });
    expect(dry.ok).toBe(true);
    expect(dry.changes.map((c) => `${c.name} ${c.action}`)).toEqual(["a unchanged"]);
  });
});
