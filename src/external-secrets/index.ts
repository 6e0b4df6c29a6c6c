/**
 * ExternalSecrets (`external-secrets.io/v1`) as a library: the pure core the
 * controller in `src/operator/external-secrets` is built on. From an
 * ExternalSecret and what its stores return, it computes the Secret ESO would
 * write, ESO's markers, status conditions and refresh decision.
 */
export * from "./constants.js";
export { dataHash, decodeSecretData, encodeSecretData, goByteMap, goStringMap, ownerLabel, resourceVersionOf, sha3Hex } from "./hash.js";
export { convertKeys, decodeMap, decodeValue, replaceAllGo, rewriteMap, validateKeys } from "./keys.js";
export type { ByteMap } from "./keys.js";
export { applyTemplate } from "./template-apply.js";
export type { DraftSecret, TemplateSources } from "./template-apply.js";
export { desiredSecret, managedKeys } from "./desired.js";
export { fetchProviderData } from "./fetch.js";
export type { FetchResult, ResolveStore, StoreReader } from "./fetch.js";
export { namespaceAllowed, selectorMatches } from "./conditions.js";
export {
  CES_DEFAULT_REFRESH_MS, CES_KIND, CES_MSG_ALREADY_EXISTS, CES_MSG_NAMESPACES_FAILED, cesOwnerReference, cesReadyCondition, cesSelectors, cesStatus, cesTargetName, cesTargets, desiredExternalSecret, isOwnedByCes,
} from "./cluster.js";
export type { NamespaceInfo } from "./cluster.js";
export { nextRefreshInMs, refreshIntervalMs, setCondition, shouldRefresh } from "./status.js";
export { renderTemplate } from "./template/index.js";
export type * from "./types.js";
