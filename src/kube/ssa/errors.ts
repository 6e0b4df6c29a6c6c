/**
 * Apply failures with `apply.*` codes: a field owned by another field
 * manager (`apply.conflict`, naming the managers and field paths), a change
 * to an immutable field (`apply.immutable`), an object the API server
 * rejects (`apply.invalid`). Messages come from the scrubbed `Status`
 * (`../errors.ts`), so they carry field paths and key names, never values.
 */
import { SigilError } from "../../core/index.js";
import { KubeApiError } from "../errors.js";

const CONFLICT_WITH = 'conflict with "';

/** The field managers named by a 409 apply conflict, and the fields in conflict. */
export function conflictDetails(err: KubeApiError): { managers: string[]; fields: string[] } {
  const managers = new Set<string>();
  const fields: string[] = [];
  for (const cause of err.kubeStatus?.details?.causes ?? []) {
    const message = cause.message ?? "";
    const at = message.indexOf(CONFLICT_WITH);
    if (at >= 0) {
      const start = at + CONFLICT_WITH.length;
      const end = message.indexOf('"', start);
      if (end > start) managers.add(message.slice(start, end));
    }
    if (cause.field !== undefined) fields.push(cause.field);
  }
  return { managers: [...managers], fields };
}

/** The error of an apply (or dry-run apply) of the object named `subject`. */
export function applyError(err: unknown, subject: string): SigilError {
  if (!(err instanceof SigilError)) return new SigilError("apply.failed", "apply failed", { subject, cause: err });
  if (err instanceof KubeApiError && err.code === "kube.conflict" && err.kubeStatus?.reason === "Conflict") {
    const { managers, fields } = conflictDetails(err);
    if (managers.length > 0) {
      const who = managers.map((m) => `"${m}"`).join(", ");
      return new SigilError("apply.conflict", `apply conflicts with field manager ${who} on ${fields.join(", ") || "some fields"}; apply with force to take them over`, { subject, cause: err });
    }
  }
  if (err.code === "kube.immutable") return new SigilError("apply.immutable", `apply would change an immutable field: ${err.message}`, { subject, cause: err });
  if (err.code === "kube.invalid") return new SigilError("apply.invalid", `the api server rejects the object: ${err.message}`, { subject, cause: err });
  return new SigilError(err.code, err.message, { subject, cause: err });
}
