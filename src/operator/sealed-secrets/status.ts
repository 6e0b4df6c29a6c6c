/**
 * The SealedSecret status as bitnami's controller sets it (docs/formats.md#b5-producing-the-secret
 * step 5): one condition of type `Synced`, `status` "True" (message cleared)
 * or "False" (message = the error), `lastUpdateTime` = now on every write,
 * `lastTransitionTime` = now only when the status value changes, and
 * `observedGeneration` = `metadata.generation`.
 *
 * Bitnami writes the status only when the condition's status or the
 * observed generation changed. Sigil also writes it when the message of a
 * False condition changed, so a different failure is not hidden behind an
 * old message.
 */
import type { SealedSecretCondition, SealedSecretStatus } from "../../decrypt/sealed-secrets/index.js";

export const SYNCED_CONDITION = "Synced";

/**
 * The status to write after a reconcile, or undefined when nothing needs writing.
 * `error` is the (already redacted) failure message, or undefined on success.
 */
export function nextStatus(current: SealedSecretStatus | undefined, generation: number | undefined, error: string | undefined, now: Date): SealedSecretStatus | undefined {
  const conditions = (current?.conditions ?? []).map((c) => ({ ...c }));
  let synced = conditions.find((c) => c.type === SYNCED_CONDITION);
  if (synced === undefined) {
    synced = { type: SYNCED_CONDITION, status: "" };
    conditions.push(synced);
  }
  const status = error === undefined ? "True" : "False";
  const message = error ?? "";
  const transition = synced.status !== status;
  const changed = transition || (synced.message ?? "") !== message || current?.observedGeneration !== generation;
  if (!changed) return undefined;
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  applyCondition(synced, status, message, stamp, transition);
  const out: SealedSecretStatus = { conditions };
  if (generation !== undefined) out.observedGeneration = generation;
  return out;
}

function applyCondition(cond: SealedSecretCondition, status: string, message: string, stamp: string, transition: boolean): void {
  cond.status = status;
  cond.lastUpdateTime = stamp;
  if (transition) cond.lastTransitionTime = stamp;
  if (message === "") delete cond.message;
  else cond.message = message;
}
