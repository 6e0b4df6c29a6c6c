/** The operator's Kubernetes layer (internal to `src/operator`; other areas use `src/operator/index.ts`). */
export { KUBECONFIG_ENV, KUBERNETES_SERVICE_HOST_ENV, loadKubeConfig } from "./config.js";
export { SERVICE_ACCOUNT_DIR, connectionFromKubeconfig, inClusterConnection, kubeconfigConnection } from "./connection.js";
export type { KubeConnection, ReadFile, TlsMaterial } from "./connection.js";
export type { KubeConfigSource, LoadedKubeConfig } from "./config.js";
export { apiError, networkError, statusMessage } from "./errors.js";
export { HttpKubeClient, defaultHttpKubeClientOptions } from "./http-client.js";
export type { HttpKubeClientOptions } from "./http-client.js";
export { EVENTS, SEALED_SECRETS, SECRETS, SERVICES, objectKey, resourcePath, splitKey } from "./paths.js";
export type { ObjectRef, ResourceType } from "./paths.js";
export { Reflector, aborted, defaultReflectorOptions, sleep } from "./reflector.js";
export type { ReflectorHandler, ReflectorOptions } from "./reflector.js";
export { PATCH_TYPES } from "./types.js";
export type { KubeClient, KubeMeta, KubeObject, ListPage, PatchType, Query, WatchEvent, WatchEventType } from "./types.js";
