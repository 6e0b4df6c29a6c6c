/**
 * The operator's controllers, each on the controller runtime
 * (`src/kube/runtime`). Today: the Sealed Secrets controller
 * (bitnami-compatible, plus drift repair and provider-wrapped keys).
 */
export { SEALED_SECRETS_COMPONENT, SEALED_SECRETS_CONTROLLER, SealedSecretsController } from "./sealed-secrets/controller.js";
export { KEY_SELECTOR, KeyManager } from "./sealed-secrets/key-manager.js";
export { DEFAULT_KEY_RENEW_PERIOD_MS, DEFAULT_LISTEN_ADDR, defaultSealedSecretsControllerOptions } from "./sealed-secrets/options.js";
export type { SealedSecretsControllerOptions } from "./sealed-secrets/options.js";
export { REASON_UNSEALED, REASON_UNSEAL_FAILED, REASON_UPDATE_FAILED } from "./sealed-secrets/reconcile.js";
export type { SealedSecretReconcileOutcome, SealedSecretReconcileResult } from "./sealed-secrets/reconcile.js";
export { DATA_MAC_ANNOTATION, INPUTS_ANNOTATION } from "./sealed-secrets/fingerprint.js";
export { ClusterExternalSecretsController, ExternalSecretsController, defaultExternalSecretsControllerOptions } from "./external-secrets/index.js";
export type { ExternalSecretsControllerOptions } from "./external-secrets/index.js";
export { HASH_ANNOTATION, RELOADER_SECRET_ANNOTATION, ROLLOUT_ANNOTATION, ROLLOUT_CONTROLLER, RolloutController, defaultRolloutControllerOptions } from "./rollout/index.js";
export type { RolloutControllerOptions } from "./rollout/index.js";
