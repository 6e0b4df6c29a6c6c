/**
 * Store resolution for one reconcile (ESO's client manager): find the store,
 * honour the controller class, enforce ClusterSecretStore `conditions`
 * before any Vault request, require the store to be Ready (ESO's flood
 * gate), and hand out a KV reader over the shared Vault clients.
 */
import { SigilError } from "../../core/index.js";
import { resourcePath } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import type { KvClientOptions, VaultClients } from "../../providers/index.js";
import { namespaceAllowed } from "../../external-secrets/index.js";
import type { ExternalSecret, SecretStore, StoreReader, StoreRef } from "../../external-secrets/index.js";
import { CLUSTER_SECRET_STORES, NAMESPACES, SECRET_STORES } from "./resources.js";
import { vaultStoreConfig } from "./store.js";

/** What resolution needs. */
export interface ResolveDeps {
  readonly client: KubeClient;
  readonly vault: VaultClients;
  /** This controller's class: stores with another non-empty `spec.controller` are not ours. */
  readonly controllerClass: string;
  /** Refuse stores that are not Ready (ESO's flood gate). */
  readonly floodGate: boolean;
}

/** The API path of a store. */
export function storePath(ref: StoreRef | undefined, namespace: string): string {
  const name = ref?.name ?? "";
  return ref?.kind === "ClusterSecretStore" ? resourcePath(CLUSTER_SECRET_STORES, { name }) : resourcePath(SECRET_STORES, { namespace, name });
}

/** Reads the stores one reconcile needs, each at most once. */
export type StoreLookup = (ref: StoreRef | undefined) => Promise<SecretStore | undefined>;

/** A {@link StoreLookup} for an ExternalSecret in `namespace`: one GET per store per reconcile, shared by every step that needs it. */
export function storeLookup(client: KubeClient, namespace: string): StoreLookup {
  const seen = new Map<string, Promise<SecretStore | undefined>>();
  return (ref) => {
    const path = storePath(ref, namespace);
    let p = seen.get(path);
    if (p === undefined) {
      p = client.get<SecretStore>(path);
      seen.set(path, p);
    }
    return p;
  };
}

/** Whether a store of class `storeClass` is this controller's (ESO `ShouldProcessStore`). */
export function isOurStore(storeClass: string | undefined, controllerClass: string): boolean {
  return storeClass === undefined || storeClass === "" || storeClass === controllerClass;
}

/** Every store an ExternalSecret references. */
export function referencedStores(es: ExternalSecret): StoreRef[] {
  const refs: StoreRef[] = [];
  const main = es.spec?.secretStoreRef;
  if (main?.name !== undefined && main.name !== "") refs.push(main);
  for (const d of es.spec?.data ?? []) if (d.sourceRef?.storeRef !== undefined) refs.push(d.sourceRef.storeRef);
  for (const d of es.spec?.dataFrom ?? []) if (d.sourceRef?.storeRef !== undefined) refs.push(d.sourceRef.storeRef);
  return refs;
}

/**
 * {@link belongsToOtherController} from the watch caches alone (`cached`: kind and informer key, `/name` for a
 * ClusterSecretStore): true only when a referenced store is cached with another class. Cheap enough for every
 * watch event, so another controller's ExternalSecrets and the writes to their Secrets (ESO next to Sigil, each
 * with its class) queue nothing; a store not cached says nothing, and the reconcile asks the API server.
 */
export function foreignByCache(es: ExternalSecret, cached: (kind: "SecretStore" | "ClusterSecretStore", key: string) => SecretStore | undefined, controllerClass: string): boolean {
  const ns = es.metadata?.namespace ?? "";
  return referencedStores(es).some((ref) => {
    const store = ref.kind === "ClusterSecretStore" ? cached("ClusterSecretStore", `/${ref.name}`) : cached("SecretStore", `${ns}/${ref.name}`);
    return store !== undefined && !isOurStore(store.spec?.controller, controllerClass);
  });
}

/** ESO `shouldSkipUnmanagedStore`: true when any referenced store belongs to another controller class. */
export async function belongsToOtherController(deps: ResolveDeps, es: ExternalSecret, lookup: StoreLookup = storeLookup(deps.client, es.metadata?.namespace ?? "")): Promise<boolean> {
  for (const ref of referencedStores(es)) {
    const store = await lookup(ref);
    if (store !== undefined && !isOurStore(store.spec?.controller, deps.controllerClass)) return true;
  }
  return false;
}

async function checkNamespace(deps: ResolveDeps, store: SecretStore, ns: string): Promise<void> {
  if (store.kind !== "ClusterSecretStore" || (store.spec?.conditions ?? []).length === 0) return;
  const nsObj = await deps.client.get<{ metadata?: { labels?: Record<string, string> } }>(resourcePath(NAMESPACES, { name: ns }));
  if (nsObj === undefined) throw new SigilError("es.namespace_forbidden", `failed to get a namespace ${JSON.stringify(ns)}`, { subject: `Namespace/${ns}` });
  if (!namespaceAllowed(store.spec?.conditions, ns, nsObj.metadata?.labels ?? {})) {
    throw new SigilError("es.namespace_forbidden", `using cluster store ${JSON.stringify(store.metadata?.name ?? "")} is not allowed from namespace ${JSON.stringify(ns)}: denied by spec.condition`, { subject: `ClusterSecretStore/${store.metadata?.name ?? ""}` });
  }
}

/**
 * A resolver of store references for `es`; stores are read through `lookup`
 * (pass the one {@link belongsToOtherController} used, so a reconcile reads each store once).
 * `reuse` says which finished reads the KV clients may share: none with
 * `fresh` (a changed spec or a `force-sync` must see current data), also
 * those at or after `notBefore` for a periodic refresh due then. Errors are
 * SigilErrors: `es.store_invalid`, `es.namespace_forbidden`.
 */
export function storeResolver(deps: ResolveDeps, es: ExternalSecret, reuse: Partial<KvClientOptions> = {}, lookup?: StoreLookup): (ref: StoreRef | undefined) => Promise<StoreReader> {
  const ns = es.metadata?.namespace ?? "";
  const read = lookup ?? storeLookup(deps.client, ns);
  const cache = new Map<string, Promise<StoreReader>>();
  const resolve = async (ref: StoreRef | undefined): Promise<StoreReader> => {
    const kind = ref?.kind === "ClusterSecretStore" ? "ClusterSecretStore" : "SecretStore";
    const found = await read(ref);
    if (found === undefined) throw new SigilError("es.store_invalid", `could not get store ${JSON.stringify(ref?.name ?? "")}: ${kind} not found`, { subject: `${kind}/${ref?.name ?? ""}` });
    const store: SecretStore = { ...found, kind };
    if (!isOurStore(store.spec?.controller, deps.controllerClass)) throw new SigilError("es.store_invalid", "can not reference unmanaged store", { subject: `${kind}/${ref?.name ?? ""}` });
    await checkNamespace(deps, store, ns);
    const ready = store.status?.conditions?.find((c) => c.type === "Ready");
    if (deps.floodGate && ready?.status !== "True") throw new SigilError("es.store_invalid", `${kind} ${JSON.stringify(ref?.name ?? "")} is not ready`, { subject: `${kind}/${ref?.name ?? ""}` });
    return deps.vault.kv(await vaultStoreConfig(deps.client, store, ns), reuse);
  };
  return (ref) => {
    const id = JSON.stringify([ref?.kind ?? "SecretStore", ref?.name ?? ""]);
    let p = cache.get(id);
    if (p === undefined) {
      p = resolve(ref);
      cache.set(id, p);
    }
    return p;
  };
}
