/**
 * The `externalsecrets` controller (ESO-compatible, Vault/OpenBao stores).
 * The pure core lives in `src/external-secrets`; the Vault client in `src/providers`.
 */
export { ExternalSecretsController } from "./controller.js";
export { defaultExternalSecretsControllerOptions } from "./options.js";
export type { ExternalSecretsControllerOptions } from "./options.js";
export { reconcileExternalSecret, isSecretValid } from "./reconcile.js";
export type { EsOutcome, EsReconcileDeps } from "./reconcile.js";
export { belongsToOtherController, isOurStore, referencedStores, storePath, storeResolver } from "./resolve.js";
export type { ResolveDeps } from "./resolve.js";
export { storeStatus, validateStore, writeStoreStatus } from "./store-status.js";
export type { StoreVerdict } from "./store-status.js";
export { loginOf, storeSubject, vaultProviderOf, vaultStoreConfig } from "./store.js";
export { ClusterExternalSecretsController, defaultClusterExternalSecretsControllerOptions } from "./cluster-controller.js";
export type { ClusterExternalSecretsControllerOptions } from "./cluster-controller.js";
export { cesRefreshMs, reconcileClusterExternalSecret, sameExternalSecret } from "./cluster-reconcile.js";
export type { CesOutcome, CesReconcileDeps } from "./cluster-reconcile.js";
