/**
 * The Sealed Secrets controller, on the controller runtime
 * (`src/kube/runtime`):
 *
 * - sealing keys are loaded (or made) first, and key Secrets added by
 *   others are followed;
 * - a `ReconcileLoop` watches SealedSecrets (all namespaces, or the given
 *   ones; cached without their ciphertexts, see `watch.ts`, and fetched
 *   when one must be unsealed) and queues each add or spec/metadata change; unless
 *   `skipRecreate`, it also watches Secrets (keeping a small view of each,
 *   see `watch.ts`), and deleting or editing a produced one queues its
 *   SealedSecret, which puts it back;
 * - the HTTP endpoints kubeseal uses are served.
 *
 * `SealedSecretsController.start(client, options)` runs it alone on a
 * manager of its own; `sigil operator` adds it to the shared manager.
 */
import type { AddressInfo } from "node:net";
import type http from "node:http";
import { SEALED_SECRETS, SECRETS, resourcePath } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import { Manager, RateLimiter, ReconcileLoop, closeServer, listen, secondary } from "../../kube/runtime/index.js";
import type { Controller, ControllerContext, StopOptions, WorkResult } from "../../kube/runtime/index.js";
import { canUnseal, reencrypt } from "./endpoints.js";
import { SealingMacKeys } from "./fingerprint.js";
import { KeyManager } from "./key-manager.js";
import { plainKeySecrets, wrapPlainKeySecrets } from "./key-migrate.js";
import { defaultSealedSecretsControllerOptions } from "./options.js";
import type { SealedSecretsControllerOptions } from "./options.js";
import { SealedSecretReconciler } from "./reconcile.js";
import { createEndpointServer } from "./server.js";
import { SEALED_SECRET_TRANSFORM, SECRET_VIEW, specChanged } from "./watch.js";
import type { CachedSealedSecret, SecretView } from "./watch.js";

/** The name `sigil operator --controllers` knows this controller by. */
export const SEALED_SECRETS_CONTROLLER = "sealedsecrets";
/** The component its Events are recorded for. */
export const SEALED_SECRETS_COMPONENT = "sigil-sealed-secrets";

/** See the module comment. */
export class SealedSecretsController implements Controller {
  readonly name = SEALED_SECRETS_CONTROLLER;
  readonly keys: KeyManager;
  readonly options: SealedSecretsControllerOptions;
  readonly #client: KubeClient;
  readonly #abort = new AbortController();
  readonly #loop: ReconcileLoop<CachedSealedSecret>;
  readonly #failed = new Set<string>();
  readonly #written = new Map<string, string>();
  readonly #running: Promise<unknown>[] = [];
  #reconciler: SealedSecretReconciler | undefined;
  #unwatchKeys: () => void = () => undefined;
  #server: http.Server | undefined;
  #address: AddressInfo | undefined;
  #alone: Manager | undefined;

  /** A controller for a manager to start (see {@link SealedSecretsController.start} to run one alone). */
  constructor(client: KubeClient, options: Partial<SealedSecretsControllerOptions> = {}) {
    this.#client = client;
    const o = { ...defaultSealedSecretsControllerOptions(), ...options };
    this.options = o;
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
    this.#loop = this.#reconcileLoop();
  }

  /**
   * Run a controller alone, on a manager of its own (stopped by `stop()`).
   * @throws SigilError as {@link SealedSecretsController.start}.
   */
  static async start(client: KubeClient, options: Partial<SealedSecretsControllerOptions> = {}): Promise<SealedSecretsController> {
    const controller = new SealedSecretsController(client, options);
    const manager = new Manager(client, { logger: controller.options.logger, instance: controller.options.instance });
    controller.#alone = manager.add(controller);
    await manager.start();
    return controller;
  }

  #reconcileLoop(): ReconcileLoop<CachedSealedSecret> {
    const o = this.options;
    const produced = secondary<SecretView>({
      resource: SECRETS,
      namespaces: o.watchNamespaces,
      transform: SECRET_VIEW,
      map: (key, secret, event) => {
        if (!secret.produced || this.#loop.get(key) === undefined) return [];
        return event !== "deleted" && this.#written.get(key) === secret.metadata.resourceVersion ? [] : [key];
      },
    });
    return new ReconcileLoop<CachedSealedSecret>({
      name: SEALED_SECRETS_CONTROLLER,
      primary: { resource: SEALED_SECRETS, namespaces: o.watchNamespaces, labelSelector: o.labelSelector, transform: SEALED_SECRET_TRANSFORM, changed: specChanged },
      secondary: o.skipRecreate ? [] : [produced],
      reconcile: (key, raw) => this.#work(key, raw),
      queue: { concurrency: o.concurrency, maxRetries: o.maxUnsealRetries },
      resyncPeriodMs: o.resyncPeriodMs,
    });
  }

  /**
   * Load (or create) the sealing keys, register the watches, and serve the endpoints.
   * @throws SigilError when a key cannot be loaded (for a wrapped key: the provider's code, e.g. `provider.unreachable`; nothing is generated in its place), when a new key cannot be stored, when the API server cannot be reached (`kube.*`), or when the listen address is taken (`config.invalid`).
   */
  async start(ctx: ControllerContext): Promise<void> {
    const o = this.options;
    await this.#startKeys(ctx);
    this.#reconciler = new SealedSecretReconciler({
      client: this.#client,
      ring: this.keys.ring,
      cache: o.cache,
      macKeys: new SealingMacKeys(),
      events: ctx.events(SEALED_SECRETS_COMPONENT),
      logger: o.logger,
      clock: o.clock,
      updateStatus: o.updateStatus,
      acceptDeprecatedV1Data: o.acceptDeprecatedV1Data,
      written: (key, rv) => this.#written.set(key, rv),
    });
    await this.#loop.start(ctx);
    await this.#startServer();
  }

  async #startKeys(ctx: ControllerContext): Promise<void> {
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
      for (const key of this.#failed) this.#loop.enqueue(key);
    };
    this.#unwatchKeys = this.keys.watch(ctx.informers);
    this.#running.push(this.keys.run(this.#abort.signal));
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

  #forget(key: string): void {
    this.#failed.delete(key);
    this.#written.delete(key);
  }

  async #work(key: string, cached: CachedSealedSecret | undefined): Promise<WorkResult> {
    const reconciler = this.#reconciler;
    if (cached === undefined || reconciler === undefined) {
      this.#forget(key);
      return {};
    }
    // The reconciler updates `cached.status` in place when it writes the status.
    const outcome =
      cached.invalid === undefined
        ? await reconciler.reconcile(cached, () => this.#client.get(resourcePath(SEALED_SECRETS, { namespace: cached.metadata.namespace, name: cached.metadata.name })))
        : await reconciler.reportUnsealFailure(cached, cached.invalid);
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
    return this.#loop.size;
  }

  /** Queue every known SealedSecret again. */
  resync(): void {
    this.#loop.resync();
  }

  /** Resolves when every watch has listed once and no reconcile is waiting or running. */
  idle(): Promise<void> {
    return this.#loop.idle();
  }

  /**
   * Stop: no new reconciles, running ones finish (up to the deadline), the
   * endpoints close. On a controller started alone, this stops its manager
   * (and so the watches). Safe to call twice.
   */
  async stop(options: StopOptions = { deadlineMs: Number.POSITIVE_INFINITY }): Promise<void> {
    const alone = this.#alone;
    if (alone !== undefined && !alone.stopping) {
      await alone.stop();
      return;
    }
    this.#abort.abort();
    this.#unwatchKeys();
    await this.keys.settled();
    await this.#loop.stop(options);
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await closeServer(server);
    await Promise.allSettled(this.#running);
  }
}
