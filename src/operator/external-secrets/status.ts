/**
 * Status of an ExternalSecret as ESO writes it (`Ready` conditions,
 * `refreshTime`, `syncedResourceVersion`, `binding`), and the one status
 * writer of the ExternalSecrets controllers.
 */
import { isSigilError } from "../../core/index.js";
import { resourcePath } from "../../kube/index.js";
import type { KubeClient, KubeObject, ResourceType } from "../../kube/index.js";
import { canonicalJson } from "../../kube/secrets/index.js";
import { REASON_SYNCED_ERROR, resourceVersionOf, setCondition } from "../../external-secrets/index.js";
import type { ExternalSecret } from "../../external-secrets/index.js";

type Status = NonNullable<ExternalSecret["status"]>;

/** RFC 3339 with seconds, as `metav1.Time` serializes. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** ESO `markAsDone`. */
export function markDone(status: Status, es: ExternalSecret, reason: string, message: string, start: number): Status {
  return {
    ...status,
    conditions: setCondition(status.conditions, { type: "Ready", status: "True", reason, message }, rfc3339(start)),
    refreshTime: rfc3339(start),
    syncedResourceVersion: resourceVersionOf(es.metadata),
  };
}

/** ESO `markAsFailed` (the Event is recorded by the caller). */
export function markFailed(status: Status, message: string, now: number): Status {
  return { ...status, conditions: setCondition(status.conditions, { type: "Ready", status: "False", reason: REASON_SYNCED_ERROR, message }, rfc3339(now)) };
}

/**
 * Write `next` to the status subresource of `obj` (an object of `type`:
 * ExternalSecret, SecretStore, ClusterSecretStore, ClusterExternalSecret)
 * when it differs from `obj.status`; false on a conflict (the caller looks again).
 * @throws SigilError `kube.*` other than `kube.conflict`.
 */
export async function writeStatus<T extends KubeObject & { status?: unknown }>(client: KubeClient, type: ResourceType, obj: T, next: NonNullable<T["status"]>): Promise<boolean> {
  if (canonicalJson(next) === canonicalJson(obj.status ?? {})) return true;
  const m = obj.metadata ?? {};
  try {
    await client.replace(resourcePath(type, { namespace: m.namespace, name: m.name ?? "", subresource: "status" }), { ...obj, status: next });
    return true;
  } catch (err) {
    if (isSigilError(err, "kube.conflict")) return false;
    throw err;
  }
}
