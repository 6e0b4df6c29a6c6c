/**
 * The `externalsecrets` controller: ExternalSecrets reconciled as ESO does
 * (`reconcile.ts`), their produced Secrets watched so an edit or a deletion
 * is reverted, SecretStores and ClusterSecretStores validated into their
 * `Ready` condition, and Vault tokens revoked on stop. Runs on the shared
 * controller runtime (`src/kube/runtime`).
 */
import { SECRETS, objectKey, splitKey } from "../../kube/index.js";
import type { KubeObject, ResourceType } from "../../kube/index.js";
import { Indexer, RateLimiter, ReconcileLoop, SECRET_METADATA, STRIP_BOOKKEEPING, secondary } from "../../kube/runtime/index.js";
import type { Controller, ControllerContext, EventRecorder, StopOptions, Transform } from "../../kube/runtime/index.js";
import { TokenCache, VaultClients } from "../../providers/index.js";
import { LABEL_MANAGED, LABEL_MANAGED_VALUE } from "../../external-secrets/index.js";
import type { ExternalSecret, SecretStore } from "../../external-secrets/index.js";
import { defaultExternalSecretsControllerOptions } from "./options.js";
import type { ExternalSecretsControllerOptions } from "./options.js";
import { reconcileExternalSecret, targetName } from "./reconcile.js";
import type { EsReconcileDeps } from "./reconcile.js";
import { foreignByCache, referencedStores } from "./resolve.js";
import { CLUSTER_SECRET_STORES, EXTERNAL_SECRETS, SECRET_STORES } from "./resources.js";
import { RefreshSpread } from "./schedule.js";
import { withCachedStores } from "./store-cache.js";
import { storeStatus, validateStore, writeStoreStatus } from "./store-status.js";

const ES = EXTERNAL_SECRETS;
const STORES = SECRET_STORES;
const CLUSTER_STORES = CLUSTER_SECRET_STORES;

const asIs = STRIP_BOOKKEEPING as unknown as Transform<ExternalSecret>;
const asStore = STRIP_BOOKKEEPING as unknown as Transform<SecretStore>;

/** See the module comment. */
export class ExternalSecretsController implements Controller {
  readonly name = "externalsecrets";
  readonly #opts: ExternalSecretsControllerOptions;
  readonly vault: VaultClients;
  #es: ReconcileLoop<ExternalSecret> | undefined;
  #stores: ReconcileLoop<SecretStore>[] = [];
  /** ExternalSecrets by the key (`namespace/name`) of their target Secret. */
  readonly #byTarget = new Indexer<ExternalSecret>((_key, es) => [targetKey(es)]);
  #detachIndex: () => void = () => undefined;

  constructor(options: Partial<ExternalSecretsControllerOptions> = {}) {
    this.#opts = { ...defaultExternalSecretsControllerOptions(), ...options };
    // Answers kept for three spread windows after their last use: an overdue refresh first seen after its path's
    // moment waits for the same moment of the next window (schedule.ts) and takes the read made at an earlier one,
    // even when a slow first pass sees the readers of a path one window apart. Periodic refreshes only take reads
    // made since they came due, so keeping them longer never serves older data.
    this.vault = new VaultClients({ tokens: this.#opts.tokens ?? new TokenCache(), coalesceWindowMs: this.#opts.coalesceWindowMs, retainReadsMs: 3 * this.#opts.restartSpreadMs });
  }

  async start(ctx: ControllerContext): Promise<void> {
    const o = this.#opts;
    const events = ctx.events("external-secrets");
    const spread = new RefreshSpread({ windowMs: o.restartSpreadMs, fractionOfInterval: o.refreshJitter, now: () => ctx.clock.now() });
    const limiter = new RateLimiter({ perSecond: o.storeReadsPerSecond, burst: o.storeReadBurst, maxClients: 10_000 });
    const cached = (kind: "SecretStore" | "ClusterSecretStore", key: string): SecretStore | undefined => this.#stores[kind === "SecretStore" ? 0 : 1]?.get(key);
    // Another controller class's ExternalSecrets (by their cached stores): their updates and their Secrets' events queue nothing.
    const foreign = (es: ExternalSecret | undefined): boolean => es !== undefined && foreignByCache(es, cached, o.controllerClass);
    const deps: EsReconcileDeps = {
      client: withCachedStores(ctx.client, cached), vault: this.vault, controllerClass: o.controllerClass, floodGate: o.floodGate, now: () => ctx.clock.now(),
      event: (es, type, reason, message) => { void events.record(subjectOf(es, "ExternalSecret"), type, reason, message); },
      takeStoreToken: (key) => limiter.take(key),
      jitterMs: (interval) => Math.floor(interval * o.refreshJitter * o.random()),
      refreshDelayMs: (key, es, periodic) => spread.delayMs(key, es, periodic),
    };
    // requeueJitter 0: refreshes carry their own jitter (--external-secrets-refresh-jitter, added only), and a wait to a due time must stay exact.
    const queue = { concurrency: o.concurrency, baseBackoffMs: o.baseBackoffMs, maxBackoffMs: o.maxBackoffMs, maxRetries: Number.POSITIVE_INFINITY, requeueJitter: 0 };
    const es: ReconcileLoop<ExternalSecret> = new ReconcileLoop<ExternalSecret>({
      name: "externalsecrets",
      primary: { resource: ES, namespaces: o.namespaces, transform: asIs, changed: (a, b) => !foreign(b) && (a.metadata?.generation !== b.metadata?.generation || JSON.stringify([a.metadata?.labels, a.metadata?.annotations]) !== JSON.stringify([b.metadata?.labels, b.metadata?.annotations])) },
      secondary: [secondary({
        resource: SECRETS, namespaces: o.namespaces, labelSelector: `${LABEL_MANAGED}=${LABEL_MANAGED_VALUE}`, transform: SECRET_METADATA,
        map: (key) => this.#byTarget.lookup(key).filter((k) => !foreign(es.get(k))),
      })],
      reconcile: async (key, obj) => {
        if (obj !== undefined) return reconcileExternalSecret(deps, obj);
        spread.forget(key);
        return {};
      },
      queue,
    });
    this.#es = es;
    this.#detachIndex = this.#byTarget.attach((o.namespaces ?? [undefined]).map((namespace) => ctx.informers.informer({ resource: ES, namespace, transform: asIs })));
    this.#stores = [this.#storeLoop(STORES, "SecretStore", ctx, events), this.#storeLoop(CLUSTER_STORES, "ClusterSecretStore", ctx, events)];
    await es.start(ctx);
    for (const l of this.#stores) await l.start(ctx);
  }

  #storeLoop(resource: ResourceType, kind: "SecretStore" | "ClusterSecretStore", ctx: ControllerContext, events: EventRecorder): ReconcileLoop<SecretStore> {
    const o = this.#opts;
    return new ReconcileLoop<SecretStore>({
      name: kind.toLowerCase(),
      primary: { resource, namespaces: kind === "SecretStore" ? o.namespaces : undefined, transform: asStore, changed: (a, b) => a.metadata?.generation !== b.metadata?.generation },
      reconcile: async (key, store) => {
        if (store === undefined) {
          // A deleted store: close the connections only it used.
          const { namespace, name } = splitKey(key);
          this.vault.forget(`${kind}/${namespace === "" ? "" : `${namespace}/`}${name}#`);
          return {};
        }
        if (!(store.spec?.controller === undefined || store.spec.controller === "" || store.spec.controller === o.controllerClass)) return {};
        const s: SecretStore = { ...store, kind };
        const verdict = await validateStore(ctx.client, this.vault, s);
        void events.record(subjectOf(s, kind), verdict.event.type, verdict.event.reason, verdict.event.message);
        const ok = await writeStoreStatus(ctx.client, s, storeStatus(s, verdict, ctx.clock.now()));
        if (ok && verdict.status === "True") this.#enqueueUsers(s);
        return { requeueAfterMs: ok ? o.storeRequeueMs : 0 };
      },
      queue: { concurrency: 2, baseBackoffMs: o.baseBackoffMs, maxBackoffMs: o.maxBackoffMs, maxRetries: Number.POSITIVE_INFINITY },
    });
  }

  /** Queue the ExternalSecrets that use `store` (a store turning Ready unblocks them at once). */
  #enqueueUsers(store: SecretStore): void {
    const es = this.#es;
    if (es === undefined) return;
    for (const key of es.keys()) {
      const obj = es.get(key);
      if (obj === undefined) continue;
      const uses = referencedStores(obj).some((r) => r.name === store.metadata?.name && (r.kind ?? "SecretStore") === store.kind && (store.kind === "ClusterSecretStore" || obj.metadata?.namespace === store.metadata?.namespace));
      if (uses && obj.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True") es.enqueue(key);
    }
  }

  async idle(): Promise<void> {
    await Promise.all([this.#es?.idle(), ...this.#stores.map((l) => l.idle())]);
  }

  async stop(options: StopOptions): Promise<void> {
    this.#detachIndex();
    await Promise.all([this.#es?.stop(options), ...this.#stores.map((l) => l.stop(options))]);
    await this.vault.close();
  }
}

function subjectOf(obj: KubeObject, kind: string): { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string } } {
  const m = obj.metadata ?? {};
  return {
    apiVersion: "external-secrets.io/v1", kind,
    metadata: { ...(m.name === undefined ? {} : { name: m.name }), ...(m.namespace === undefined ? {} : { namespace: m.namespace }), ...(m.uid === undefined ? {} : { uid: m.uid }), ...(m.resourceVersion === undefined ? {} : { resourceVersion: m.resourceVersion }) },
  };
}

/** `namespace/name` of the Secret an ExternalSecret produces. */
export function targetKey(es: ExternalSecret): string {
  return objectKey({ namespace: es.metadata?.namespace, name: targetName(es) });
}
