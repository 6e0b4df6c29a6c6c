/**
 * The pure ordering logic: waves, hook annotations, hook states, hook
 * Events, when hooks are due, and dependsOn with a fake lookup. The same
 * paths run against the real API server in
 * test/integration/reconcile/ordering.test.ts and depends.test.ts.
 */
import { describe, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import type { KubeObject } from "../../../src/kube/index.js";
import { FakeKubeClient } from "../../../src/kube/testing/index.js";
import { ArtifactStore } from "../../../src/operator/gitops/index.js";
import { checkDependencies, dependencyCondition, dependencyGate, dependentsOf } from "../../../src/operator/gitops/depends.js";
import { hookEvent, hooksDue } from "../../../src/operator/gitops/hook-events.js";
import { deletePolicies, hookState, hooksOf, orderForSync, syncWaves, waveOf } from "../../../src/reconcile/index.js";
import type { Sync } from "../../../src/reconcile/index.js";

const obj = (kind: string, name: string, ann: Record<string, string> = {}, apiVersion = "v1"): KubeObject => ({ apiVersion, kind, metadata: { name, namespace: "n", annotations: ann } });
const names = (os: readonly KubeObject[]): string[] => os.map((o) => o.metadata?.name ?? "");

describe("sync waves", () => {
  it.each([
    { reason: "no annotation is wave 0", value: undefined, want: 0 },
    { reason: "negative", value: "-5", want: -5 },
    { reason: "explicit plus", value: "+3", want: 3 },
    { reason: "leading zeros", value: "007", want: 7 },
    { reason: "int32 minimum", value: "-2147483648", want: -(2 ** 31) },
  ])("reads $reason", ({ value, want }) => {
    expect(waveOf(obj("ConfigMap", "a", value === undefined ? {} : { "argocd.argoproj.io/sync-wave": value }))).toBe(want);
  });

  it.each([
    { reason: "not a number", value: "one" },
    { reason: "a float", value: "1.5" },
    { reason: "an exponent", value: "1e3" },
    { reason: "empty", value: "" },
    { reason: "a sign alone", value: "-" },
    { reason: "surrounding space", value: " 1" },
    { reason: "beyond int32", value: "2147483648" },
    { reason: "very long", value: "9".repeat(5000) },
  ])("refuses $reason with sync.invalid_wave naming the object", ({ value }) => {
    let err: unknown;
    try {
      waveOf(obj("ConfigMap", "bad", { "argocd.argoproj.io/sync-wave": value }));
    } catch (e) {
      err = e;
    }
    expect(isSigilError(err, "sync.invalid_wave")).toBe(true);
    expect((err as { subject?: string }).subject).toBe("ConfigMap/n/bad");
  });

  it("orders by wave, then install order (kind, name) inside a wave", () => {
    const order = orderForSync([obj("Deployment", "web", {}, "apps/v1"), obj("ConfigMap", "z"), obj("ConfigMap", "late", { "argocd.argoproj.io/sync-wave": "2" }), obj("Namespace", "early", { "argocd.argoproj.io/sync-wave": "-1" }), obj("ConfigMap", "a")]);
    expect(order.resources.map((w) => [w.wave, names(w.items)])).toEqual([[-1, ["early"]], [0, ["a", "z", "web"]], [2, ["late"]]]);
  });
});

describe("hook annotations", () => {
  it("separates hooks (one or several phases) and keeps Skip / PreDelete / PostDelete out of the sync", () => {
    const order = orderForSync([
      obj("ConfigMap", "plain"),
      obj("Job", "pre", { "argocd.argoproj.io/hook": "PreSync" }, "batch/v1"),
      obj("Job", "both", { "argocd.argoproj.io/hook": "PreSync, PostSync", "argocd.argoproj.io/sync-wave": "3" }, "batch/v1"),
      obj("Job", "during", { "argocd.argoproj.io/hook": "Sync", "argocd.argoproj.io/sync-wave": "5" }, "batch/v1"),
      obj("ConfigMap", "skip", { "argocd.argoproj.io/hook": "Skip" }),
      obj("Job", "gone", { "argocd.argoproj.io/hook": "PostDelete" }, "batch/v1"),
    ]);
    expect(order.resources.map((w) => names(w.items))).toEqual([["plain"]]);
    expect(hooksOf(order, "PreSync").map((w) => [w.wave, names(w.items.map((h) => h.object))])).toEqual([[0, ["pre"]], [3, ["both"]]]);
    expect(hooksOf(order, "PostSync").map((w) => names(w.items.map((h) => h.object)))).toEqual([["both"]]);
    expect(syncWaves(order)).toEqual([0, 5]);
    expect(order.skipped.map((x) => [x.subject, x.hook])).toEqual([["ConfigMap/n/skip", "Skip"], ["Job/n/gone", "PostDelete"]]);
  });

  it("defaults the delete policy to BeforeHookCreation, as Argo CD does, and reads lists", () => {
    expect([...deletePolicies(obj("Job", "j"))]).toEqual(["BeforeHookCreation"]);
    expect([...deletePolicies(obj("Job", "j", { "argocd.argoproj.io/hook-delete-policy": "HookSucceeded,HookFailed" }))]).toEqual(["HookSucceeded", "HookFailed"]);
  });

  it.each([
    { reason: "an unknown phase", ann: { "argocd.argoproj.io/hook": "PreSynk" } },
    { reason: "an unknown delete policy", ann: { "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "Always" } },
    { reason: "too many values", ann: { "argocd.argoproj.io/hook": Array(40).fill("Sync").join(",") } },
  ])("refuses $reason with hook.invalid", ({ ann }) => {
    expect(() => orderForSync([obj("Job", "j", ann, "batch/v1")])).toThrow(expect.objectContaining({ code: "hook.invalid", subject: "Job/n/j" }) as Error);
  });
});

describe("hook state", () => {
  const job = (conditions: { type: string; status: string; reason?: string }[]): KubeObject => ({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, status: { conditions } }) as KubeObject;
  it.each([
    { reason: "a Job without conditions runs", o: job([]), want: { state: "running" } },
    { reason: "FailureTarget alone is not the end", o: job([{ type: "FailureTarget", status: "True" }]), want: { state: "running" } },
    { reason: "Complete succeeded", o: job([{ type: "SuccessCriteriaMet", status: "True" }, { type: "Complete", status: "True" }]), want: { state: "succeeded" } },
    { reason: "Failed with its reason", o: job([{ type: "Failed", status: "True", reason: "DeadlineExceeded" }]), want: { state: "failed", reason: "DeadlineExceeded" } },
    { reason: "a reason that is not a token is not echoed", o: job([{ type: "Failed", status: "True", reason: "password=hunter2 and more" }]), want: { state: "failed", reason: "NoReason" } },
    { reason: "a Pod by phase", o: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, status: { phase: "Succeeded" } } as KubeObject, want: { state: "succeeded" } },
    { reason: "a ConfigMap exists, so it is done", o: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }, want: { state: "succeeded" } },
  ])("$reason", ({ o, want }) => {
    expect(hookState(o)).toEqual(want);
  });

  it("Events name the hook and its phase only", () => {
    expect(hookEvent({ phase: "PostSync", subject: "Job/n/smoke", outcome: "Succeeded", deleted: true })).toEqual({ type: "Normal", reason: "HookSucceeded", message: "PostSync hook Job/n/smoke succeeded; deleted by its delete policy" });
    expect(hookEvent({ phase: "PreSync", subject: "Job/n/m", outcome: "TimedOut", deleted: false })).toEqual({ type: "Warning", reason: "HookTimedOut", message: "PreSync hook Job/n/m did not finish in time" });
  });
});

const sync = (name: string, deps: string[], status?: Sync["status"], generation = 1): Sync => ({
  apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name, namespace: "n", generation }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, dependsOn: deps.map((d) => ({ name: d })) }, status,
});
const readyAt = (rev: string, generation = 1): Sync["status"] => ({ observedGeneration: generation, lastAppliedRevision: rev, conditions: [{ type: "Ready", status: "True", reason: "ok", message: "", lastTransitionTime: "" }] });

describe("hooks due", () => {
  it("runs hooks for a new revision, a new generation or a Sync not Ready, and not for an unchanged Ready one", () => {
    expect(hooksDue(sync("a", [], readyAt("r1")), "r1", undefined)).toBe(false);
    expect(hooksDue(sync("a", [], readyAt("r1")), "r2", undefined)).toBe(true);
    expect(hooksDue(sync("a", [], readyAt("r1"), 2), "r1", undefined)).toBe(true);
    expect(hooksDue(sync("a", [], undefined), "r1", undefined)).toBe(true);
    expect(hooksDue(sync("a", [], readyAt("r1")), "r1", "2026-01-01T00:00:00Z")).toBe(true);
  });
});

describe("dependsOn", () => {
  const lookup = (syncs: Sync[], rev = "r1") => ({ get: (key: string) => Promise.resolve(syncs.find((s) => `n/${s.metadata.name}` === key)), revisionOf: () => rev });

  it.each([
    { reason: "no dependencies", syncs: [sync("a", [])], want: { state: "ready" } },
    { reason: "missing", syncs: [sync("a", ["b"])], want: { state: "waiting", on: "n/b", why: "it does not exist" } },
    { reason: "not reconciled", syncs: [sync("a", ["b"]), sync("b", [])], want: { state: "waiting", on: "n/b", why: "its current generation is not reconciled yet" } },
    { reason: "an older revision", syncs: [sync("a", ["b"]), sync("b", [], readyAt("r0"))], want: { state: "waiting", on: "n/b", why: "it has not applied r1 yet" } },
    { reason: "ready at the latest", syncs: [sync("a", ["b"]), sync("b", [], readyAt("r1"))], want: { state: "ready" } },
    { reason: "a self-dependency", syncs: [sync("a", ["a"])], want: { state: "cycle", cycle: ["n/a", "n/a"] } },
    { reason: "a longer cycle", syncs: [sync("a", ["b"]), sync("b", ["c"]), sync("c", ["a"])], want: { state: "cycle", cycle: ["n/a", "n/b", "n/c", "n/a"] } },
    { reason: "a cycle not through a: a waits", syncs: [sync("a", ["b"]), sync("b", ["c"]), sync("c", ["b"])], want: { state: "waiting", on: "n/b", why: "its current generation is not reconciled yet" } },
  ])("$reason", async ({ syncs, want }) => {
    const first = syncs[0];
    if (first === undefined) throw new Error("no sync");
    expect(await checkDependencies(first, lookup(syncs))).toEqual(want);
  });

  it("names the cycle and the Sync waited for in the condition, and finds dependents", () => {
    expect(dependencyCondition({ state: "cycle", cycle: ["n/a", "n/b", "n/a"] })).toEqual({ reason: "DependencyCycle", message: "dependency cycle: Sync/n/a -> Sync/n/b -> Sync/n/a" });
    expect(dependencyCondition({ state: "waiting", on: "n/b", why: "it is not Ready" }).reason).toBe("DependencyNotReady");
    expect(dependentsOf("n/b", [["n/a", sync("a", ["b"])], ["n/c", sync("c", [])], ["n/d", undefined]])).toEqual(["n/a"]);
  });
});

describe("the dependency gate", () => {
  it("does not flip a Ready Sync to not Ready while its dependency's GitSource is not fetched yet (after a restart), but reports it for a Sync not Ready", async () => {
    const client = new FakeKubeClient();
    await client.create("/apis/gitops.sigil.dev/v1alpha1/namespaces/n/syncs", sync("b", [], readyAt("r1")));
    const store = new ArtifactStore();
    const written: Record<string, unknown>[] = [];
    const opts = { client, store, now: () => new Date(0), writeStatus: (st: Record<string, unknown>) => Promise.resolve(written.push(st)) };
    expect(await dependencyGate(sync("a", ["b"], readyAt("r1")), opts)).toEqual({ requeueAfterMs: 10_000 });
    expect(written).toEqual([]);
    await client.create("/apis/gitops.sigil.dev/v1alpha1/namespaces/n/syncs", sync("c", ["b"]));
    expect(await dependencyGate(sync("c", ["b"]), opts)).toEqual({ requeueAfterMs: 10_000 });
    expect(written).toEqual([{ conditions: [expect.objectContaining({ type: "Ready", status: "False", reason: "DependencyNotReady", message: "waiting for Sync/n/b: its GitSource has no artifact yet" })] }]);
  });
});
