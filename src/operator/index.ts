/**
 * The operator: controllers that run in the cluster (or beside it), with the
 * queue, rate limits and Events they share (the Kubernetes client itself is
 * `src/kube`). Today it holds the Sealed Secrets
 * controller (bitnami-compatible, plus drift repair and provider-wrapped
 * keys).
 */
export { EventRecorder, defaultEventRecorderOptions } from "./events.js";
export type { EventRecorderOptions, EventSubject, EventType } from "./events.js";
export { WorkQueue, defaultWorkQueueOptions } from "./queue.js";
export type { WorkQueueOptions, WorkResult, Worker } from "./queue.js";
export { RateLimiter, defaultRateLimitOptions } from "./rate-limit.js";
export type { RateLimitOptions } from "./rate-limit.js";
export { SealedSecretsController } from "./sealed-secrets/controller.js";
export { canUnseal, parseSealedSecretBody, reencrypt } from "./sealed-secrets/endpoints.js";
export { DATA_MAC_ANNOTATION, DataMac, INPUTS_ANNOTATION, canonicalJson, inputsDigest, producedKeys } from "./sealed-secrets/fingerprint.js";
export { KEY_SELECTOR, KeyManager } from "./sealed-secrets/key-manager.js";
export type { KeyManagerOptions } from "./sealed-secrets/key-manager.js";
export { plainKeySecrets, wrapPlainKeySecrets } from "./sealed-secrets/key-migrate.js";
export { DEFAULT_KEY_RENEW_PERIOD_MS, DEFAULT_LISTEN_ADDR, defaultSealedSecretsControllerOptions } from "./sealed-secrets/options.js";
export type { SealedSecretsControllerOptions } from "./sealed-secrets/options.js";
export { REASON_UNSEALED, REASON_UNSEAL_FAILED, REASON_UPDATE_FAILED } from "./sealed-secrets/reconcile.js";
export type { ReconcileOutcome, ReconcileResult } from "./sealed-secrets/reconcile.js";
export { isControlledBy, mergeSecret, ownerReference, sameSecret, secretSkeleton, unmanagedMessage, writeMode } from "./sealed-secrets/secret-write.js";
export type { WriteMode } from "./sealed-secrets/secret-write.js";
export { createEndpointServer, listen, parseListenAddr } from "./sealed-secrets/server.js";
export type { EndpointHandlers, EndpointServerOptions } from "./sealed-secrets/server.js";
export { SYNCED_CONDITION, nextStatus } from "./sealed-secrets/status.js";
