/**
 * The `rollout` controller: rotation-aware rollout of Deployments,
 * StatefulSets and DaemonSets that follow Secrets (`docs/rollout.md`).
 */
export { RolloutController } from "./controller.js";
export { defaultRolloutControllerOptions } from "./options.js";
export type { RolloutControllerOptions } from "./options.js";
export { HASH_ANNOTATION, MAX_SECRETS_PER_WORKLOAD, RELOADER_SECRET_ANNOTATION, ROLLOUT_ANNOTATION, ROLLOUT_CONTROLLER, ROLLOUT_FIELD_MANAGER, WORKLOAD_KINDS } from "./constants.js";
export { secretsHash } from "./hash.js";
export type { HashedSecret } from "./hash.js";
export { reconcileWorkload } from "./reconcile.js";
export type { RolloutDeps, RolloutResult } from "./reconcile.js";
export { WORKLOAD, followedSecrets, isDnsSubdomain } from "./workload.js";
export type { Workload } from "./workload.js";
