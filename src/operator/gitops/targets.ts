/**
 * The target of a Sync: the client its reads and writes go through, a
 * `ResourceManager` on that client, and the drift watcher of its cluster.
 * A target is the pair (cluster, identity): the operator's own cluster or a
 * remote one (`spec.kubeConfig.secretRef`), as the operator itself or as an
 * impersonated ServiceAccount (`spec.serviceAccountName`, or the operator's
 * `--default-service-account`). Targets are cached per pair and shared by
 * the Syncs that use it; a remote cluster (its client, its informers) and
 * an identity's client are torn down when no Sync uses them any more. A
 * changed kubeconfig Secret is a new cluster (keyed by a digest of the
 * bytes), so its old connections and watches go with the last Sync that
 * moves off it. See docs/tenancy.md.
 */
import { createHash } from "node:crypto";
import { SigilError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { HttpKubeClient, ResourceManager, SECRETS, connectionFromKubeconfigData, resourcePath } from "../../kube/index.js";
import type { KubeClient, KubeConnection, KubeObject, SecretObject } from "../../kube/index.js";
import { SharedInformers } from "../../kube/runtime/index.js";
import type { Clock } from "../../kube/runtime/index.js";
import { ResyncMemory } from "../../reconcile/index.js";
import type { Sync } from "../../reconcile/index.js";
import { DriftWatcher } from "./drift.js";
import type { DriftEvent } from "./drift.js";

/** A client that holds connections. */
export type ClosableClient = KubeClient & { close(): void };

/** The key of the operator's own cluster. */
export const LOCAL_CLUSTER = "local";

/** Where and as whom one Sync reads and writes. */
export interface SyncTarget {
  /** {@link LOCAL_CLUSTER}, or `Secret/<ns>/<name>:<key>@<digest>` for a remote cluster. */
  readonly cluster: string;
  /** The impersonated user (`system:serviceaccount:<ns>:<name>`), if any. */
  readonly user: string | undefined;
  readonly client: KubeClient;
  readonly manager: ResourceManager;
  /** The drift watcher of the cluster (informers as the operator or the kubeconfig's user, never impersonated). */
  readonly drift: DriftWatcher;
  /** What the last applies on this cluster confirmed (live versions from this cluster's drift watches), for skipping unchanged re-syncs. */
  readonly resync: ResyncMemory;
  /** True when the writer may be denied (impersonated or remote): the reconcile dry-runs the whole set first. */
  readonly preflight: boolean;
}

export interface SyncTargetsOptions {
  /** The operator's own client. */
  readonly client: KubeClient;
  readonly logger: Logger;
  /** Flux's `--default-service-account`: impersonated by Syncs that name none. */
  readonly defaultServiceAccount: string | undefined;
  /** A client on the operator's cluster acting as `user` (default: `HttpKubeClient.as`). */
  readonly impersonate: (user: string) => ClosableClient;
  /** A client for a remote cluster, acting as `user` when given. */
  readonly connect: (connection: KubeConnection, user: string | undefined) => ClosableClient;
  /** A managed object of a cluster changed (only forwarded for Syncs that currently target that cluster). */
  readonly onDrift: (event: DriftEvent) => void;
  /** The object a Sync last applied under an inventory id, if known: which labels and annotations it sets (drift.ts). */
  readonly desired?: ((syncKey: string, id: string) => KubeObject | undefined) | undefined;
}

/** Defaults for everything but the client, logger and drift callback. */
export function defaultSyncTargetsOptions(client: KubeClient): Omit<SyncTargetsOptions, "client" | "logger" | "onDrift" | "desired"> {
  return {
    defaultServiceAccount: undefined,
    impersonate: (user) => {
      if (client instanceof HttpKubeClient) return client.as(user);
      throw new SigilError("config.invalid", "impersonation needs the operator's HTTP client");
    },
    connect: (connection, user) => new HttpKubeClient(connection, { userAgent: "sigil-operator", impersonateUser: user }),
  };
}

interface Identity {
  readonly client: KubeClient;
  readonly manager: ResourceManager;
  readonly close: () => void;
}

interface Cluster {
  readonly key: string;
  readonly drift: DriftWatcher;
  readonly resync: ResyncMemory;
  readonly base: Identity;
  readonly as: (user: string) => ClosableClient;
  readonly identities: Map<string, Identity>;
  /** Informers owned by this cluster entry (remote only; the local cluster uses the manager's). */
  readonly informers: SharedInformers | undefined;
}

/** The user a Sync impersonates: its `serviceAccountName`, else the default, else none. */
export function impersonatedUser(s: Sync, defaultServiceAccount: string | undefined): string | undefined {
  const name = s.spec.serviceAccountName ?? defaultServiceAccount;
  return name === undefined || name === "" ? undefined : `system:serviceaccount:${s.metadata.namespace ?? "default"}:${name}`;
}

/** The cache of targets (see the module comment). */
export class SyncTargets {
  readonly #opts: SyncTargetsOptions;
  readonly #remote = new Map<string, Cluster>();
  readonly #bySync = new Map<string, { cluster: string; user: string | undefined }>();
  #local: Cluster | undefined;
  #deps: { informers: SharedInformers; clock: Clock } | undefined;

  constructor(options: SyncTargetsOptions) {
    this.#opts = options;
  }

  #localCluster(): Cluster {
    return (this.#local ??= this.#cluster(LOCAL_CLUSTER, this.#opts.client, () => undefined, this.#opts.impersonate, () => this.#deps?.informers));
  }

  /** Take the manager's shared informers (for drift on the local cluster) and its clock. */
  start(informers: SharedInformers, clock: Clock): void {
    this.#deps = { informers, clock };
  }

  /**
   * The target of Sync `key` (reads the kubeconfig Secret, if any, as the operator).
   * @throws SigilError `config.invalid` naming the Secret when it, its key, or the kubeconfig in it is missing or refused; `kube.*` when the Secret cannot be read.
   */
  async acquire(key: string, s: Sync): Promise<SyncTarget> {
    const user = impersonatedUser(s, this.#opts.defaultServiceAccount);
    const cluster = s.spec.kubeConfig === undefined ? this.#localCluster() : await this.#remoteCluster(s);
    this.#bySync.set(key, { cluster: cluster.key, user });
    await this.#collect();
    const identity = user === undefined ? cluster.base : this.#identity(cluster, user);
    return { cluster: cluster.key, user, client: identity.client, manager: identity.manager, drift: cluster.drift, resync: cluster.resync, preflight: user !== undefined || cluster.key !== LOCAL_CLUSTER };
  }

  /** Sync `key` is gone (or cannot be reconciled): drop what only it used. */
  async release(key: string): Promise<void> {
    if (this.#bySync.delete(key)) await this.#collect();
  }

  /** How many remote clusters and identities are held (for tests and metrics). */
  get size(): { remoteClusters: number; identities: number } {
    const all = [...this.#remote.values(), ...(this.#local === undefined ? [] : [this.#local])];
    return { remoteClusters: this.#remote.size, identities: all.reduce((n, c) => n + c.identities.size, 0) };
  }

  /** Tear everything down (at shutdown). */
  async stop(): Promise<void> {
    this.#bySync.clear();
    await this.#collect();
  }

  #cluster(key: string, client: KubeClient, close: () => void, as: (user: string) => ClosableClient, informers: () => SharedInformers | undefined, owned?: SharedInformers): Cluster {
    const manager = new ResourceManager({ client });
    const onDrift = (e: DriftEvent): void => {
      if (this.#bySync.get(e.syncKey)?.cluster === key) this.#opts.onDrift(e);
    };
    const drift = new DriftWatcher(informers, manager.mapper, onDrift, this.#opts.logger, this.#opts.desired);
    return { key, drift, resync: new ResyncMemory(drift), base: { client, manager, close }, as, identities: new Map(), informers: owned };
  }

  #identity(cluster: Cluster, user: string): Identity {
    let identity = cluster.identities.get(user);
    if (identity === undefined) {
      const client = cluster.as(user);
      identity = { client, manager: new ResourceManager({ client }), close: () => { client.close(); } };
      cluster.identities.set(user, identity);
    }
    return identity;
  }

  async #remoteCluster(s: Sync): Promise<Cluster> {
    const ref = s.spec.kubeConfig?.secretRef;
    const namespace = s.metadata.namespace ?? "default";
    const syncSubject = `Sync/${namespace}/${s.metadata.name}`;
    if (ref === undefined || ref.name === "") throw new SigilError("config.invalid", "spec.kubeConfig needs secretRef.name", { subject: syncSubject });
    const secret = await this.#opts.client.get<SecretObject>(resourcePath(SECRETS, { namespace, name: ref.name }));
    if (secret === undefined) throw new SigilError("config.invalid", `the kubeConfig Secret '${ref.name}' does not exist`, { subject: syncSubject });
    const dataKey = ref.key ?? (secret.data?.["value"] !== undefined ? "value" : "value.yaml");
    const encoded = secret.data?.[dataKey];
    if (encoded === undefined) throw new SigilError("config.invalid", `the kubeConfig Secret '${ref.name}' has no key '${ref.key ?? "value"}'${ref.key === undefined ? " (nor 'value.yaml')" : ""}`, { subject: syncSubject });
    const bytes = Buffer.from(encoded, "base64");
    const key = `Secret/${namespace}/${ref.name}:${dataKey}@${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}`;
    const existing = this.#remote.get(key);
    if (existing !== undefined) return existing;
    const connection = connectionFromKubeconfigData(bytes, `Secret/${namespace}/${ref.name} (key ${dataKey})`);
    const client = this.#opts.connect(connection, undefined);
    const informers = new SharedInformers({ client, logger: this.#opts.logger, clock: this.#clock() });
    informers.start();
    const cluster = this.#cluster(key, client, () => { client.close(); }, (user) => this.#opts.connect(connection, user), () => informers, informers);
    this.#remote.set(key, cluster);
    this.#opts.logger.info("connected to a remote cluster", { cluster: key, server: connection.server.origin });
    return cluster;
  }

  #clock(): Clock {
    if (this.#deps === undefined) throw new SigilError("internal", "the Sync targets are used before start()");
    return this.#deps.clock;
  }

  /** Close identities and remote clusters no Sync uses any more. */
  async #collect(): Promise<void> {
    const used = [...this.#bySync.values()];
    for (const cluster of [...this.#remote.values(), ...(this.#local === undefined ? [] : [this.#local])]) {
      for (const [user, identity] of cluster.identities) {
        if (!used.some((u) => u.cluster === cluster.key && u.user === user)) {
          cluster.identities.delete(user);
          identity.close();
        }
      }
      if (cluster.key === LOCAL_CLUSTER || used.some((u) => u.cluster === cluster.key)) continue;
      this.#remote.delete(cluster.key);
      this.#opts.logger.info("disconnected from a remote cluster (no Sync uses it)", { cluster: cluster.key });
      await cluster.informers?.stop();
      cluster.base.close();
    }
  }
}
