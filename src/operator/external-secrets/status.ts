/** Status of an ExternalSecret as ESO writes it: `Ready` conditions, `refreshTime`, `syncedResourceVersion`, `binding`. */
import type { KubeClient } from "../../kube/index.js";
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

/** Write `next` to the status subresource when it differs from `es.status`; false on a conflict. */
export async function writeStatus(client: KubeClient, es: ExternalSecret, next: Status): Promise<boolean> {
  if (JSON.stringify(next) === JSON.stringify(es.status ?? {})) return true;
  const m = es.metadata ?? {};
  const path = `/apis/external-secrets.io/v1/namespaces/${m.namespace ?? ""}/externalsecrets/${m.name ?? ""}/status`;
  try {
    await client.replace(path, { ...es, status: next });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "kube.conflict") return false;
    throw err;
  }
}
