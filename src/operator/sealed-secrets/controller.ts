/**
 * The Sealed Secrets controller: keys, watches, the per-object queue,
 * reconciles and the HTTP endpoints, wired together.
 *
 * - SealedSecrets are listed and watched (all namespaces, or the given
 *   ones); each add or spec/metadata change queues its `namespace/name`.
 * - Produced Secrets are watched too (unless `skipRecreate`): deleting or
 *   editing one queues its SealedSecret, which puts it back.
 * - Each key is worked on by one worker at a time (`WorkQueue`).
 */
import type { AddressInfo } from "node:net";
import type http from "node:http";
import { SigilError } from "../../core/index.js";
import {
  MANAGED_ANNOTATION,
  PATCH_ANNOTATION,
  SEALED_SECRET_API_VERSION,
  SEALED_SECRET_KIND,
  toSealedSecret,
} from "../../decrypt/sealed-secrets/index.js";
import type { SealedSecretObject, SecretObject } from "../../decrypt/sealed-secrets/index.js";
import { EventRecorder } from "../events.js";
import { SEALED_SECRETS, SECRETS, resourcePath } from "../../kube/index.js";
import { Reflector } from "../kube/reflector.js";
import type { KubeClient } from "../../kube/index.js";
import { WorkQueue } from "../queue.js";
import type { WorkResult } from "../queue.js";
import { RateLimiter } from "../rate-limit.js";
import { canUnseal, reencrypt } from "./endpoints.js";
import { DataMac, INPUTS_ANNOTATION } from "./fingerprint.js";
import { KeyManager } from "./key-manager.js";
import { plainKeySecrets, wrapPlainKeySecrets } from "./key-migrate.js";
import { defaultSealedSecretsControllerOptions } from "./options.js";
import type { SealedSecretsControllerOptions } from "./options.js";
import { Reconciler } from "./reconcile.js";
import type { ReconcileOutcome } from "./reconcile.js";
import { createEndpointServer, listen } from "./server.js";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

type RawSealedSecret = SealedSecretObject & { metadata: { managedFields?: unknown } };

/** What is kept of a watched Secret. */
interface SecretView {
  readonly resourceVersion: string;
  /** Owned by a SealedSecret, `managed`/`patch`, or written by Sigil. */
  readonly relevant: boolean;
}

function viewOf(secret: SecretObject): SecretView {
  const a = secret.metadata.annotations ?? {};
  const owned = (secret.metadata.ownerReferences ?? []).some((r) => r.kind === SEALED_SECRET_KIND && r.controller === true);
  return {
    resourceVersion: secret.metadata.resourceVersion ?? "",
    relevant: owned || a[MANAGED_ANNOTATION] === "true" || a[PATCH_ANNOTATION] === "true" || a[INPUTS_ANNOTATION] !== undefined,
  };
}

/** What is kept of a SealedSecret: the object without managedFields and kubectl's last-applied copy (both only cost memory). */
function stripped(ss: RawSealedSecret): RawSealedSecret {
  delete ss.metadata.managedFields;
  const annotations = ss.metadata.annotations;
  if (annotations?.[LAST_APPLIED] !== undefined) {
    ss.metadata.annotations = Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== LAST_APPLIED));
  }
  ss.apiVersion = SEALED_SECRET_API_VERSION;
  ss.kind = SEALED_SECRET_KIND;
  return ss;
}

/** True when a change to a SealedSecret can change what it produces (not a status-only update). */
function specChanged(prev: RawSealedSecret, next: RawSealedSecret): boolean {
  const a = prev.metadata;
  const b = next.metadata;
  return a.generation !== b.generation || a.uid !== b.uid || JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) || JSON.stringify(prev.spec) !== JSON.stringify(next.spec);
}

/** See the module comment. */
export class SealedSecretsController {
  readonly keys: KeyManager;
  readonly options: SealedSecretsControllerOptions;
  readonly #client: KubeClient;
  readonly #abort = new AbortController();
  readonly #sealed: Reflector<RawSealedSecret>[] = [];
  readonly #secrets: Reflector<SecretObject, SecretView>[] = [];
  readonly #queue: WorkQueue;
  readonly #reconciler: Reconciler;
  readonly #failed = new Set<string>();
  readonly #written = new Map<string, string>();
  readonly #running: Promise<unknown>[] = [];
  #server: http.Server | undefined;
  #address: AddressInfo | undefined;
  #resync: NodeJS.Timeout | undefined;

  private constructor(client: KubeClient, options: SealedSecretsControllerOptions) {
    this.#client = client;
    this.options = options;
    const o = options;
    this.keys = new KeyManager(client, {
      namespace: o.keyNamespace,
      keyPrefix: o.keyPrefix,
      keySize: o.keySize,
      keyTtlMs: o.keyTtlMs,
      commonName: o.commonName,
      renewPeriodMs: o.keyRenewPeriodMs,
      cutoff: o.keyCutoffTime,
      labels: o.privateKeyLabels,
      annotations: o.privateKeyAnnotations,
      wrapWith: o.wrapPrivateKeysWith,
      providers: o.providers,
      clock: o.clock,
      logger: o.logger,
      generate: o.generateKeyPair,
    });
    this.#queue = new WorkQueue((key) => this.#work(key), { concurrency: o.concurrency, maxRetries: o.maxUnsealRetries, logger: o.logger });
    this.#reconciler = new Reconciler({
      client,
      ring: this.keys.ring,
      cache: o.cache,
      mac: new DataMac(),
      events: new EventRecorder(client, { clock: o.clock, logger: o.logger, instance: o.instance }),
      logger: o.logger,
      clock: o.clock,
      updateStatus: o.updateStatus,
      acceptDeprecatedV1Data: o.acceptDeprecatedV1Data,
      written: this.#written,
    });
  }

  /**
   * Load (or create) the sealing keys, start watching, and serve the endpoints.
   * @throws SigilError when a key cannot be loaded (for a wrapped key: the provider's code, e.g. `provider.unreachable`; nothing is generated in its place), when a new key cannot be stored, when the API server cannot be reached (`kube.*`), or when the listen address is taken (`config.invalid`).
   */
  static async start(client: KubeClient, options: Partial<SealedSecretsControllerOptions> = {}): Promise<SealedSecretsController> {
    const controller = new SealedSecretsController(client, { ...defaultSealedSecretsControllerOptions(), ...options });
    try {
      await controller.#startKeys();
      controller.#startWatches();
      await controller.#startServer();
    } catch (err) {
      await controller.stop();
      throw err;
    }
    return controller;
  }

  async #startKeys(): Promise<void> {
    const o = this.options;
    if (o.wrapPrivateKeysWith !== undefined && o.providers !== undefined) {
      if (o.wrapExistingKeys) await wrapPlainKeySecrets(this.#client, o.keyNamespace, o.wrapPrivateKeysWith, o.providers, o.logger);
      else if ((await plainKeySecrets(this.#client, o.keyNamespace)).length > 0) {
        o.logger.warn("plain (unwrapped) sealing keys exist; wrap them with --wrap-existing-keys", { namespace: o.keyNamespace });
      }
    }
    await this.keys.load();
    await this.keys.ensureCurrent();
    this.keys.onChange = () => {
      for (const key of this.#failed) this.#queue.add(key);
    };
    this.#running.push(this.keys.run(this.#abort.signal));
  }

  #startWatches(): void {
    const o = this.options;
    const namespaces = o.watchNamespaces ?? [undefined];
    for (const namespace of namespaces) {
      const sealed = new Reflector<RawSealedSecret>({
        client: this.#client,
        path: resourcePath(SEALED_SECRETS, { namespace }),
        labelSelector: o.labelSelector,
        project: stripped,
        logger: o.logger,
        handler: {
          added: (key) => {
            this.#queue.add(key);
          },
          updated: (key, prev, next) => {
            if (specChanged(prev, next)) this.#queue.add(key);
          },
          deleted: (key) => {
            this.#forget(key);
          },
        },
      });
      this.#sealed.push(sealed);
      this.#running.push(sealed.run(this.#abort.signal));
      if (o.skipRecreate) continue;
      const secrets = new Reflector<SecretObject, SecretView>({
        client: this.#client,
        path: resourcePath(SECRETS, { namespace }),
        project: viewOf,
        logger: o.logger,
        handler: {
          added: (key, view, _s, initial) => {
            if (!initial) this.#secretChanged(key, view);
          },
          updated: (key, _prev, view) => {
            this.#secretChanged(key, view);
          },
          deleted: (key, prev) => {
            this.#secretChanged(key, { ...prev, resourceVersion: "deleted" });
          },
        },
      });
      this.#secrets.push(secrets);
      this.#running.push(secrets.run(this.#abort.signal));
    }
    if (o.resyncPeriodMs > 0) {
      this.#resync = setInterval(() => {
        this.resync();
      }, o.resyncPeriodMs);
    }
  }

  async #startServer(): Promise<void> {
    const o = this.options;
    if (o.listenAddr === undefined) return;
    const ring = this.keys.ring;
    this.#server = createEndpointServer(
      { certificatePem: () => this.keys.certificatePem(), verify: (ss) => canUnseal(ss, ring, o.cache), rotate: (ss) => reencrypt(ss, ring, o.cache) },
      { verifyLimiter: new RateLimiter({ perSecond: o.rateLimit, burst: o.rateLimitBurst }), logger: o.logger, maxBodyBytes: 2 * 1024 * 1024 },
    );
    this.#address = await listen(this.#server, o.listenAddr);
    o.logger.info("http endpoints serving", { address: `${this.#address.address}:${this.#address.port}` });
  }

  #secretChanged(key: string, view: SecretView): void {
    if (!view.relevant || this.#lookup(key) === undefined) return;
    if (this.#written.get(key) === view.resourceVersion) return;
    this.#queue.add(key);
  }

  #forget(key: string): void {
    this.#queue.forget(key);
    this.#failed.delete(key);
    this.#written.delete(key);
  }

  #lookup(key: string): RawSealedSecret | undefined {
    for (const reflector of this.#sealed) {
      const found = reflector.store.get(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  async #work(key: string): Promise<WorkResult> {
    const raw = this.#lookup(key);
    if (raw === undefined) {
      this.#forget(key);
      return { retry: false };
    }
    let outcome: ReconcileOutcome;
    let ss: SealedSecretObject;
    try {
      ss = toSealedSecret(raw, "");
      outcome = await this.#reconciler.reconcile(ss);
    } catch (err) {
      ss = { apiVersion: SEALED_SECRET_API_VERSION, kind: SEALED_SECRET_KIND, metadata: raw.metadata, spec: { encryptedData: {} }, ...(raw.status === undefined ? {} : { status: raw.status }) };
      const error = err instanceof SigilError ? err : new SigilError("internal", "reconcile failed", { cause: err });
      outcome = await this.#reconciler.reportUnsealFailure(ss, error);
    }
    if (ss.status !== undefined) raw.status = ss.status;
    if (outcome.result === "failed") this.#failed.add(key);
    else this.#failed.delete(key);
    return { retry: outcome.retry };
  }

  /** The bound address of the HTTP endpoints (undefined without a server). */
  get address(): AddressInfo | undefined {
    return this.#address;
  }

  /** RSA private-key operations performed so far (unseal attempts, including scope diagnosis). */
  get privateKeyOperations(): number {
    return this.keys.ring.privateKeyOperations;
  }

  /** Number of SealedSecrets known. */
  get size(): number {
    return this.#sealed.reduce((n, r) => n + r.store.size, 0);
  }

  /** Queue every known SealedSecret again. */
  resync(): void {
    for (const reflector of this.#sealed) for (const key of reflector.store.keys()) this.#queue.add(key);
  }

  /** Resolves when every watch has listed once and the queue is empty. */
  async idle(): Promise<void> {
    await Promise.all([...this.#sealed, ...this.#secrets].map((r) => r.synced()));
    await this.#queue.idle();
  }

  /** Stop everything and wait for running reconciles. Safe to call twice. */
  async stop(): Promise<void> {
    this.#abort.abort();
    if (this.#resync !== undefined) clearInterval(this.#resync);
    await this.#queue.stop();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    }
    await Promise.allSettled(this.#running);
  }
}

