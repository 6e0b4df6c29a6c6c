/**
 * The one Kubernetes layer of Sigil, used by the operator, the reconciler
 * and the CLI: finding the cluster (kubeconfig, in-cluster service account),
 * the `KubeClient` interface and its HTTP implementation, `kube.*` error
 * mapping, API paths and the object types.
 */
export { KUBECONFIG_ENV, KUBERNETES_SERVICE_HOST_ENV, loadKubeConfig } from "./config.js";
export type { KubeConfigSource, LoadedKubeConfig } from "./config.js";
export { SERVICE_ACCOUNT_DIR, connectionFromKubeconfig, inClusterConnection, kubeconfigConnection } from "./connection.js";
export type { KubeConnection, ReadFile, TlsMaterial } from "./connection.js";
export { apiError, networkError, statusMessage } from "./errors.js";
export { HttpKubeClient, defaultHttpKubeClientOptions } from "./http-client.js";
export type { HttpKubeClientOptions } from "./http-client.js";
export { subjectOf } from "./objects.js";
export type { Condition, KubeObject, ObjectMeta, OwnerReference, SecretObject } from "./objects.js";
export { EVENTS, SEALED_SECRETS, SECRETS, SERVICES, objectKey, resourcePath, splitKey } from "./paths.js";
export type { ObjectRef, ResourceType } from "./paths.js";
export { PATCH_TYPES } from "./types.js";
export type { KubeClient, ListPage, PatchType, Query, WatchEvent, WatchEventType } from "./types.js";
