/**
 * SecretStores and ClusterSecretStores read from the controller's watch
 * caches (as ESO reads them through controller-runtime's cache) instead of
 * a GET per reconcile: a first sync otherwise spends two of its seven
 * sequential API requests on the same store. A cached store that is not
 * `Ready` is read from the API server after all, so a store that just
 * turned Ready (its watch event still on the way) never fails a reconcile;
 * a store not in the cache (not synced yet, or gone) is read too.
 */
import { withGet } from "../../kube/index.js";
import type { KubeClient, Query } from "../../kube/index.js";
import type { SecretStore } from "../../external-secrets/index.js";

const NAMESPACED = /^\/apis\/external-secrets\.io\/v1\/namespaces\/([^/?]+)\/secretstores\/([^/?]+)$/;
const CLUSTER = /^\/apis\/external-secrets\.io\/v1\/clustersecretstores\/([^/?]+)$/;

/** Finds a cached store: `kind` and the informer key (`namespace/name`, `/name` for cluster stores). */
export type StoreLookup = (kind: "SecretStore" | "ClusterSecretStore", key: string) => SecretStore | undefined;

/** The store's `namespace/name` key and kind when `path` is a store's path. */
export function storeKeyOf(path: string): { kind: "SecretStore" | "ClusterSecretStore"; key: string } | undefined {
  const ns = NAMESPACED.exec(path);
  if (ns !== null) return { kind: "SecretStore", key: `${ns[1] ?? ""}/${ns[2] ?? ""}` };
  const cl = CLUSTER.exec(path);
  return cl === null ? undefined : { kind: "ClusterSecretStore", key: `/${cl[1] ?? ""}` };
}

/** `client` with store GETs (without a query) answered from `lookup` when it has a Ready store; a copy, never the cached object. */
export function withCachedStores(client: KubeClient, lookup: StoreLookup): KubeClient {
  return withGet(client, async <T>(path: string, query?: Query): Promise<T | undefined> => {
    const at = query === undefined ? storeKeyOf(path) : undefined;
    const cached = at === undefined ? undefined : lookup(at.kind, at.key);
    if (cached?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true) return structuredClone(cached) as T;
    return client.get<T>(path, query);
  });
}
