/**
 * A Sync's status and Event after a reconcile: revisions, conditions with
 * the error code as reason, counts in the Event; never a value. Nothing in
 * the status depends on the clock or the counts of an unchanged re-sync, so
 * re-syncing an unchanged revision computes the status already there and
 * writes nothing (see {@link statusChanged}), and records no Event.
 */
import type { ChangeSetEntry } from "../../kube/index.js";
import { jsonEqual } from "../../kube/index.js";
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
  // No counts here (they are in the Event): the same revision applied again gives the same message.
  const message = result.ok ? `Applied revision: ${result.revision ?? ""}` : `${result.stage ?? ""} failed: ${result.error?.describe() ?? ""}`;
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `target` after a JSON merge patch (RFC 7386) with `patch`. */
function merged(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out = new Map<string, unknown>(isRecord(target) ? Object.entries(target) : []);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) out.delete(key);
    else out.set(key, merged(out.get(key), value));
  }
  return Object.fromEntries(out);
}

/** True when merge-patching the status `current` with `next` would change it (undefined fields of `next` are not sent). */
export function statusChanged(current: unknown, next: Record<string, unknown>): boolean {
  const base = current ?? {};
  return !jsonEqual(base, merged(base, JSON.parse(JSON.stringify(next))));
}

/**
 * The Event of a reconcile, or undefined for none: a success that created, configured or deleted something,
 * or that made the Sync Ready (the first success, a recovery), records `ReconciliationSucceeded` with the
 * counts; every failure records a Warning with the error code. A re-sync that changed nothing records none.
 */
export function syncEvent(result: ReconcileResult, wasReady = false): { type: "Normal" | "Warning"; reason: string; message: string } | undefined {
  const changed = result.changes.some((c) => c.action === "created" || c.action === "configured" || c.action === "deleted");
  if (result.ok && !changed && wasReady) return undefined;
  if (result.ok) return { type: "Normal", reason: "ReconciliationSucceeded", message: `${result.revision ?? ""}: ${counts(result.changes)}` };
  return { type: "Warning", reason: result.error?.code ?? "internal", message: `${result.stage ?? ""} failed for ${result.revision ?? "(no revision)"}: ${result.error?.describe() ?? ""}` };
}
