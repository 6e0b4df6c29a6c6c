/** Names of the rotation-aware rollout: annotations, field manager, the workload kinds it patches. */
import type { ResourceType } from "../../kube/index.js";

/** On a Deployment, StatefulSet or DaemonSet: the Secrets (comma-separated names, same namespace) whose content change rolls its pods. */
export const ROLLOUT_ANNOTATION = "sigil.dev/rollout-on-secret-change";
/** stakater Reloader's annotation of the same meaning, honoured when the controller is told to (`reloaderAnnotation`). */
export const RELOADER_SECRET_ANNOTATION = "secret.reloader.stakater.com/reload";
/** On the pod template: a keyed hash of the named Secrets' content (never a value). */
export const HASH_ANNOTATION = "sigil.dev/secret-hash";
/** The field manager of the server-side apply that writes {@link HASH_ANNOTATION}. */
export const ROLLOUT_FIELD_MANAGER = "sigil-rollout";
/** The controller's name for `--controllers`, and its Event component. */
export const ROLLOUT_CONTROLLER = "rollout";
/** At most this many Secrets are named by one workload; more is refused with an Event. */
export const MAX_SECRETS_PER_WORKLOAD = 32;

/** Event reasons. */
export const REASON_ROLLED = "SecretsChanged";
export const REASON_SECRET_MISSING = "SecretNotFound";
export const REASON_INVALID = "InvalidAnnotation";

/** A workload kind the controller patches. */
export interface WorkloadKind {
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  readonly resource: ResourceType;
}

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { kind: "Deployment", resource: { group: "apps", version: "v1", plural: "deployments" } },
  { kind: "StatefulSet", resource: { group: "apps", version: "v1", plural: "statefulsets" } },
  { kind: "DaemonSet", resource: { group: "apps", version: "v1", plural: "daemonsets" } },
];
