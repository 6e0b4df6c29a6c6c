/** A Sync's status and Event after a reconcile: counts, revisions, conditions with the error code as reason; never a value. */
import type { ChangeSetEntry } from "../../kube/index.js";
import type { Condition, DriftEntry, ReconcileResult, Sync } from "../../reconcile/index.js";
import { condition } from "./status.js";

/** Render and decrypt failures cannot go away without a change to Git or the Sync. */
const STALLED_STAGES = new Set(["render", "decrypt"]);

export function counts(changes: readonly ChangeSetEntry[]): string {
  const n = { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0 };
  for (const c of changes) n[c.action]++;
  return `created ${n.created}, configured ${n.configured}, unchanged ${n.unchanged}, deleted ${n.deleted}`;
}

function conditions(sync: Sync, result: ReconcileResult, now: Date): Condition[] {
  const prev = sync.status?.conditions;
  const gen = sync.metadata.generation;
  const code = result.error?.code ?? "internal";
  const message = result.ok ? `applied ${result.revision ?? ""}: ${counts(result.changes)}` : `${result.stage ?? ""} failed: ${result.error?.describe() ?? ""}`;
  const healthy: Condition["status"] = result.healthy === undefined ? "Unknown" : result.healthy ? "True" : "False";
  return [
    condition(prev, "Ready", result.ok ? "True" : "False", result.ok ? "ReconciliationSucceeded" : code, message, now, gen),
    condition(prev, "Reconciling", "False", result.ok ? "ReconciliationSucceeded" : code, result.ok ? "done" : message, now, gen),
    condition(prev, "Stalled", !result.ok && STALLED_STAGES.has(result.stage ?? "") ? "True" : "False", result.ok ? "ReconciliationSucceeded" : code, result.ok ? "" : message, now, gen),
    condition(prev, "Healthy", healthy, healthy === "True" ? "Succeeded" : healthy === "False" ? "HealthCheckFailed" : "NotChecked", healthy === "False" ? message : "", now, gen),
  ];
}

/** The status to merge-patch. */
export function syncStatus(sync: Sync, result: ReconcileResult, drift: readonly DriftEntry[], requestedAt: string | undefined, now: Date): Record<string, unknown> {
  return {
    observedGeneration: sync.metadata.generation,
    lastAttemptedRevision: result.revision,
    ...(result.ok ? { lastAppliedRevision: result.revision } : {}),
    ...(requestedAt === undefined ? {} : { lastHandledReconcileAt: requestedAt }),
    inventory: result.inventory,
    drift: { lastDetectedAt: drift.at(-1)?.detectedAt, objects: drift.slice(-100) },
    conditions: conditions(sync, result, now),
  };
}

/** The one Event of a reconcile: type, reason, message. */
export function syncEvent(result: ReconcileResult): { type: "Normal" | "Warning"; reason: string; message: string } {
  if (result.ok) return { type: "Normal", reason: "ReconciliationSucceeded", message: `${result.revision ?? ""}: ${counts(result.changes)}` };
  return { type: "Warning", reason: result.error?.code ?? "internal", message: `${result.stage ?? ""} failed for ${result.revision ?? "(no revision)"}: ${result.error?.describe() ?? ""}` };
}
