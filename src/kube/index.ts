/**
 * The one Kubernetes layer of Sigil, used by the operator, the reconciler
 * and the CLI: finding the cluster (kubeconfig, in-cluster service account),
 * the `KubeClient` interface and its HTTP implementation, `kube.*` error
 * mapping and scrubbing, API paths, the object types, discovery (REST
 * mapping) and server-side apply (`ResourceManager`). See `docs/kube.md`.
 */
export * from "./kubeconfig/index.js";
export * from "./discovery/index.js";
export { KubeApiError, apiError, networkError, scrubMessage, statusMessage } from "./errors.js";
export type { KubeStatus } from "./errors.js";
export { HttpKubeClient, defaultHttpKubeClientOptions } from "./http-client.js";
export type { HttpKubeClientOptions } from "./http-client.js";
export { subjectOf } from "./objects.js";
export type { Condition, KubeObject, ObjectMeta, OwnerReference, SecretObject } from "./objects.js";
export { EVENTS, SEALED_SECRETS, SECRETS, SERVICES, objectKey, resourcePath, splitKey } from "./paths.js";
export type { ObjectRef, ResourceType } from "./paths.js";
export { PATCH_TYPES } from "./types.js";
export type { KubeClient, ListPage, PatchType, Query, WatchEvent, WatchEventType } from "./types.js";
export { withGet } from "./wrap.js";
export * from "./ssa/index.js";
