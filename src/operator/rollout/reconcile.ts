/**
 * One reconcile of a workload that follows Secrets:
 *
 * 1. read the Secret names it follows (nothing to do without any; a bad list gets an Event);
 * 2. read each Secret; a missing one gets an Event and the template is left as it is;
 * 3. hash their content (`hash.ts`); the same hash as in the template: no write;
 * 4. server-side apply the new hash into the pod template under Sigil's own field manager, so the pods roll.
 */
import { isSigilError } from "../../core/index.js";
import { SECRETS, resourcePath } from "../../kube/index.js";
import type { KubeClient, SecretObject } from "../../kube/index.js";
import { HASH_ANNOTATION, REASON_INVALID, REASON_ROLLED, REASON_SECRET_MISSING, ROLLOUT_ANNOTATION, ROLLOUT_FIELD_MANAGER } from "./constants.js";
import type { WorkloadKind } from "./constants.js";
import { secretsHash } from "./hash.js";
import type { HashedSecret } from "./hash.js";
import { followedSecrets } from "./workload.js";
import type { Workload } from "./workload.js";

/** What a reconcile needs. */
export interface RolloutDeps {
  readonly client: KubeClient;
  /** Also follow stakater Reloader's `secret.reloader.stakater.com/reload`. */
  readonly reloaderAnnotation: boolean;
  readonly event: (kind: WorkloadKind, w: Workload, type: "Normal" | "Warning", reason: string, message: string) => void;
}

/** What a reconcile did. */
export type RolloutResult = "none" | "unchanged" | "rolled" | "missing" | "invalid";

const quoted = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(", ");

/**
 * Reconcile workload `w` of `kind`.
 * @throws SigilError `kube.*` from reads and the apply (retried by the loop), except a workload gone meanwhile.
 */
export async function reconcileWorkload(deps: RolloutDeps, kind: WorkloadKind, w: Workload): Promise<RolloutResult> {
  const followed = followedSecrets(w, deps.reloaderAnnotation);
  if ("invalid" in followed) {
    deps.event(kind, w, "Warning", REASON_INVALID, `${ROLLOUT_ANNOTATION}: ${followed.invalid}; the pod template is left as it is`);
    return "invalid";
  }
  if (followed.names.length === 0) return "none";
  const namespace = w.metadata.namespace ?? "";
  const found: HashedSecret[] = [];
  const missing: string[] = [];
  for (const name of followed.names) {
    const s = await deps.client.get<SecretObject>(resourcePath(SECRETS, { namespace, name }));
    if (s === undefined) missing.push(name);
    else found.push({ name, uid: s.metadata.uid ?? "", data: s.data ?? {} });
  }
  if (missing.length > 0) {
    deps.event(kind, w, "Warning", REASON_SECRET_MISSING, `secret ${quoted(missing)} named in ${ROLLOUT_ANNOTATION} not found in namespace ${JSON.stringify(namespace)}; the pod template is left as it is`);
    return "missing";
  }
  const hash = secretsHash(found);
  if (hash === w.hash) return "unchanged";
  if (!(await applyHash(deps.client, kind, w, hash))) return "none";
  deps.event(kind, w, "Normal", REASON_ROLLED, `content of secret ${quoted(followed.names)} changed: new ${HASH_ANNOTATION} in the pod template, pods will roll`);
  return "rolled";
}

/** Server-side apply of the hash; false when the workload is gone. */
async function applyHash(client: KubeClient, kind: WorkloadKind, w: Workload, hash: string): Promise<boolean> {
  const { name, namespace } = w.metadata;
  const body = { apiVersion: "apps/v1", kind: kind.kind, metadata: { name, namespace }, spec: { template: { metadata: { annotations: { [HASH_ANNOTATION]: hash } } } } };
  try {
    await client.patch(resourcePath(kind.resource, { namespace, name }), body, "apply", { fieldManager: ROLLOUT_FIELD_MANAGER, force: true });
    return true;
  } catch (err) {
    if (isSigilError(err, "kube.not_found")) return false;
    throw err;
  }
}
