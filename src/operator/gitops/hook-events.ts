/** Argo CD hooks in the `syncs` controller: when a reconcile is a new sync that runs hooks, and one Event per hook run (names and phase only). */
import type { EventRecorder } from "../../kube/runtime/index.js";
import type { HookRun, Sync } from "../../reconcile/index.js";

/**
 * Hooks run when this reconcile is a new sync: a new revision, a new generation, a new `requestedAt`, or the last
 * sync not Ready. A re-sync of the same, Ready revision (the interval, a drift repair) runs none, as Argo CD only
 * runs hooks when it syncs.
 */
export function hooksDue(s: Sync, revision: string, requestedAt: string | undefined): boolean {
  const ready = s.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
  const same = s.status?.lastAppliedRevision === revision && s.status.observedGeneration === s.metadata.generation && requestedAt === s.status.lastHandledReconcileAt;
  return !(ready && same);
}

/** The Event of one hook run: `HookSucceeded` (Normal), `HookFailed`, `HookTimedOut`, `HookError` (Warning). */
export function hookEvent(run: HookRun): { type: "Normal" | "Warning"; reason: string; message: string } {
  const why = run.reason === undefined ? "" : ` (${run.reason})`;
  const deleted = run.deleted ? "; deleted by its delete policy" : "";
  const verb = { Succeeded: "succeeded", Failed: "failed", TimedOut: "did not finish in time", Error: "could not be created" }[run.outcome];
  return { type: run.outcome === "Succeeded" ? "Normal" : "Warning", reason: `Hook${run.outcome}`, message: `${run.phase} hook ${run.subject} ${verb}${why}${deleted}` };
}

/** Record one Event per hook run on the Sync (failures to record are ignored, as for the reconcile Event). */
export async function recordHookEvents(events: EventRecorder | undefined, s: Sync, runs: readonly HookRun[]): Promise<void> {
  for (const run of runs) {
    const ev = hookEvent(run);
    await events?.record(s, ev.type, ev.reason, ev.message).catch(() => undefined);
  }
}
