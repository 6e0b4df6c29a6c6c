import { describe, expect, it } from "vitest";
import { SigilError } from "../../../src/core/index.js";
import type { ChangeSetEntry } from "../../../src/kube/index.js";
import { statusChanged, syncEvent, syncStatus } from "../../../src/operator/gitops/sync-status.js";
import type { ReconcileResult, Sync } from "../../../src/reconcile/index.js";

const change = (action: ChangeSetEntry["action"]): ChangeSetEntry => ({ subject: "ConfigMap/n/a", apiVersion: "v1", kind: "ConfigMap", namespace: "n", name: "a", action });
const ok = (actions: ChangeSetEntry["action"][]): ReconcileResult => ({ ok: true, revision: "main@sha1:abc", changes: actions.map(change), inventory: { version: 1, entries: [{ id: "n_a__ConfigMap", v: "v1" }] }, healthy: undefined });
const sync = (status?: Sync["status"]): Sync => ({ apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "app", namespace: "n", generation: 2 }, spec: { sourceRef: { kind: "GitSource", name: "repo" } }, ...(status === undefined ? {} : { status }) });

describe("the Sync's status and Event after a reconcile", () => {
  it("computes the status already there when an unchanged revision is re-synced, later, with other counts", () => {
    const first = syncStatus(sync(), ok(["created"]), [], undefined, new Date("2026-01-01T00:00:00Z"));
    const stored = JSON.parse(JSON.stringify(first)) as Sync["status"];
    const again = syncStatus(sync(stored), ok(["unchanged"]), [], undefined, new Date("2026-01-01T01:00:00Z"));
    expect(statusChanged(stored, again)).toBe(false);
  });

  const cases: { reason: string; patch: Record<string, unknown>; changed: boolean }[] = [
    { reason: "a new requestedAt is a change", patch: { lastHandledReconcileAt: "t2" }, changed: true },
    { reason: "the same requestedAt is not", patch: { lastHandledReconcileAt: "t1" }, changed: false },
    { reason: "an undefined field is not sent, so it changes nothing", patch: { lastAppliedRevision: undefined }, changed: false },
    { reason: "a nested field left out keeps its value (merge patch)", patch: { drift: { objects: [] } }, changed: false },
    { reason: "a new drift entry is a change", patch: { drift: { objects: [{ id: "x" }] } }, changed: true },
    { reason: "null removes a field: a change when it is there", patch: { lastAppliedRevision: null }, changed: true },
  ];
  for (const c of cases) {
    it(c.reason, () => {
      expect(statusChanged({ lastHandledReconcileAt: "t1", lastAppliedRevision: "r", drift: { lastDetectedAt: "d", objects: [] } }, c.patch)).toBe(c.changed);
    });
  }

  it("records an Event for a change, a failure, or a Sync becoming Ready; none for an unchanged re-sync", () => {
    expect(syncEvent(ok(["unchanged"]), true)).toBeUndefined();
    expect(syncEvent(ok(["unchanged", "skipped"]), true)).toBeUndefined();
    expect(syncEvent(ok(["unchanged"]), false)?.reason).toBe("ReconciliationSucceeded");
    for (const action of ["created", "configured", "deleted"] as const) expect(syncEvent(ok([action, "unchanged"]), true)?.message).toMatch(/created \d, configured \d, unchanged 1, deleted \d/);
    const failed = syncEvent({ ...ok([]), ok: false, stage: "render", error: new SigilError("render.invalid_yaml", "bad yaml", { subject: "app/a.yaml" }) }, true);
    expect([failed?.type, failed?.reason]).toEqual(["Warning", "render.invalid_yaml"]);
  });
});
