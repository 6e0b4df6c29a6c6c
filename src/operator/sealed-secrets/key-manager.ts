/**
 * The controller's sealing keys (docs/formats.md#b4-controller-keys-and-endpoints): loading every key Secret
 * in the controller namespace (bitnami's plain `active` ones as-is, and
 * Sigil's provider-wrapped ones unwrapped in memory), generating a new key
 * when there is none or the newest is older than the cutoff, renewing on a
 * schedule, and picking up keys another controller adds.
 *
 * A key that cannot be loaded at start stops the start: in particular a
 * wrapped key whose provider is unreachable is reported, and no
 * replacement key is generated in its place.
 */
import { SigilError, describeError, isSigilError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import {
  KeyRing,
  SEALING_KEY_ACTIVE,
  SEALING_KEY_LABEL,
  SEALING_KEY_WRAPPED,
  buildKeySecret,
  loadKeySecret,
  sealingKeyFromPrivateKey,
  subjectOf,
  withCertificate,
  wrapKeySecret,
} from "../../decrypt/sealed-secrets/index.js";
import type { GeneratedKeyPair, KeyGenOptions, SealingKey, SecretObject } from "../../decrypt/sealed-secrets/index.js";
import type { MasterKeyRef, ProviderRegistry } from "../../providers/index.js";
import { SECRETS, resourcePath } from "../../kube/index.js";
import { SECRET_METADATA, aborted, sleep, systemClock } from "../../kube/runtime/index.js";
import type { SharedInformers } from "../../kube/runtime/index.js";
import type { KubeClient } from "../../kube/index.js";

/** The label selector of key Secrets: plain and wrapped. */
export const KEY_SELECTOR = `${SEALING_KEY_LABEL} in (${SEALING_KEY_ACTIVE},${SEALING_KEY_WRAPPED})`;

/** Options of {@link KeyManager}. */
export interface KeyManagerOptions {
  /** The controller namespace, where key Secrets live. */
  readonly namespace: string;
  /** `generateName` of new key Secrets, and the name of a legacy key Secret (bitnami `--key-prefix`). */
  readonly keyPrefix: string;
  readonly keySize: number;
  readonly keyTtlMs: number;
  readonly commonName: string;
  /** Renewal period (bitnami `--key-renew-period`); 0 turns renewal off. */
  readonly renewPeriodMs: number;
  /** A newest key older than this is replaced at start (bitnami `--key-cutoff-time`). */
  readonly cutoff: Date | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Wrap new private keys with this provider key (Sigil's protection at rest). */
  readonly wrapWith: MasterKeyRef | undefined;
  /** Providers for wrapping and unwrapping. */
  readonly providers: ProviderRegistry | undefined;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** Key pair generation (injected in tests to use small keys). */
  readonly generate: (options: Partial<KeyGenOptions>) => Promise<GeneratedKeyPair>;
}

/** The longest single timer (Node clamps longer ones to 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/** See the module comment. */
export class KeyManager {
  readonly ring = new KeyRing();
  readonly #client: KubeClient;
  readonly #opts: KeyManagerOptions;
  /** resourceVersion of each key Secret already loaded, by name. */
  readonly #loaded = new Map<string, string>();
  /** Rotations under way (a stop waits for them, so a key Secret is never created unannounced). */
  readonly #rotating = new Set<Promise<unknown>>();
  /** Called after a key was added (new keys may open what failed before). */
  onChange: (() => void) | undefined;

  constructor(client: KubeClient, options: KeyManagerOptions) {
    this.#client = client;
    this.#opts = options;
  }

  /**
   * Load every key Secret of the namespace (and the legacy one named `keyPrefix`).
   * @throws SigilError with the failing key's code (`provider.unreachable`, `provider.denied`, `sealed.no_key`, `input.invalid`, …) naming the key Secret; `kube.*` when the Secrets cannot be listed.
   */
  async load(): Promise<void> {
    const path = resourcePath(SECRETS, { namespace: this.#opts.namespace });
    const page = await this.#client.list<SecretObject>(path, { labelSelector: KEY_SELECTOR });
    const items = [...page.items];
    const legacy = await this.#client.get<SecretObject>(resourcePath(SECRETS, { namespace: this.#opts.namespace, name: this.#opts.keyPrefix }));
    if (legacy !== undefined && !items.some((s) => s.metadata.name === legacy.metadata.name)) items.push(legacy);
    items.sort((a, b) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? ""));
    for (const secret of items) await this.#loadSecret(secret);
    this.#opts.logger.info("sealing keys loaded", { namespace: this.#opts.namespace, keys: this.ring.size });
  }

  async #loadSecret(secret: SecretObject): Promise<void> {
    const subject = subjectOf("Secret", secret.metadata);
    let key: SealingKey;
    try {
      key = await loadKeySecret(secret, this.#opts.providers, subject);
    } catch (cause) {
      const code = isSigilError(cause) ? cause.code : "internal";
      throw new SigilError(code, "cannot load this sealing key, so the controller does not start (and does not generate a replacement key)", { subject, cause });
    }
    this.ring.add(key);
    this.#loaded.set(secret.metadata.name ?? "", secret.metadata.resourceVersion ?? "");
    this.#opts.logger.info("registered sealing key", { secret: subject, fingerprint: key.fingerprint, wrapped: secret.metadata.labels?.[SEALING_KEY_LABEL] === SEALING_KEY_WRAPPED });
  }

  /**
   * Generate a key when there is none, or when the newest is older than the cutoff.
   * @throws SigilError as {@link KeyManager.rotate}.
   */
  async ensureCurrent(): Promise<void> {
    const newest = this.ring.newest();
    if (newest === undefined) await this.rotate("no sealing key exists yet");
    else if (this.#opts.cutoff !== undefined && notBefore(newest) < this.#opts.cutoff.getTime()) await this.rotate("the newest key is older than the key cutoff time");
  }

  /**
   * Generate a key pair, store its key Secret (wrapped when `wrapWith` is
   * set) and make it the sealing key. Nothing is stored when wrapping fails.
   * @throws SigilError `provider.*` when wrapping fails; `kube.*` when the Secret cannot be created.
   */
  rotate(why: string): Promise<SealingKey> {
    const done = this.#rotate(why);
    const tracked = done.catch(() => undefined);
    this.#rotating.add(tracked);
    void tracked.then(() => this.#rotating.delete(tracked));
    return done;
  }

  /** Resolves once no rotation is under way (whatever their outcome). */
  async settled(): Promise<void> {
    while (this.#rotating.size > 0) await Promise.allSettled([...this.#rotating]);
  }

  async #rotate(why: string): Promise<SealingKey> {
    const o = this.#opts;
    const pair = await o.generate({ keySize: o.keySize, validForMs: o.keyTtlMs, commonName: o.commonName, now: o.clock });
    let secret = buildKeySecret(
      { privateKeyPem: pair.privateKeyPem, certificatePem: pair.certificate.pem },
      { namespace: o.namespace, generateName: o.keyPrefix, labels: o.labels, annotations: o.annotations },
    );
    if (o.wrapWith !== undefined) {
      if (o.providers === undefined) throw new SigilError("provider.not_configured", "private keys are to be wrapped, but no key providers are configured");
      secret = await wrapKeySecret(secret, o.wrapWith, o.providers);
    }
    const created = await this.#client.create<SecretObject>(resourcePath(SECRETS, { namespace: o.namespace }), secret);
    const subject = subjectOf("Secret", created.metadata);
    const key = withCertificate(sealingKeyFromPrivateKey(pair.privateKey, subject), pair.certificate, subject);
    this.ring.add(key);
    this.#loaded.set(created.metadata.name ?? "", created.metadata.resourceVersion ?? "");
    o.logger.info("new sealing key written", { secret: subject, fingerprint: key.fingerprint, wrapped: o.wrapWith !== undefined, why });
    this.onChange?.();
    return key;
  }

  /** The newest certificate as PEM (what `/v1/cert.pem` serves), if any key has one. */
  certificatePem(): string | undefined {
    return this.ring.newest()?.certificate?.pem;
  }

  /** Follow key Secrets added or changed by others (another replica, a restore), through the shared informers. */
  watch(informers: SharedInformers): () => void {
    const informer = informers.informer({ resource: SECRETS, namespace: this.#opts.namespace, labelSelector: KEY_SELECTOR, transform: SECRET_METADATA });
    return informer.addHandler({
      added: (_key, secret) => void this.#follow(secret),
      updated: (_key, _prev, secret) => void this.#follow(secret),
    });
  }

  /** Renew on schedule until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const period = this.#opts.renewPeriodMs;
    if (period <= 0) return;
    while (!signal.aborted) {
      const newest = this.ring.newest();
      const age = newest === undefined ? period : this.#opts.clock().getTime() - notBefore(newest);
      await sleepLong(Math.max(0, period - age), signal);
      if (aborted(signal)) return;
      try {
        await this.rotate("scheduled renewal");
      } catch (err) {
        this.#opts.logger.error("key renewal failed; retrying in a minute", { error: describeError(err) });
        await sleep(systemClock, 60_000, signal);
      }
    }
  }

  /** Load a key Secret seen by the watch (which holds no values: the Secret is read). */
  async #follow(seen: SecretObject): Promise<void> {
    const name = seen.metadata.name ?? "";
    if (this.#loaded.get(name) === seen.metadata.resourceVersion) return;
    const before = this.ring.size;
    try {
      const secret = await this.#client.get<SecretObject>(resourcePath(SECRETS, { namespace: seen.metadata.namespace, name }));
      if (secret === undefined || this.#loaded.get(name) === secret.metadata.resourceVersion) return;
      await this.#loadSecret(secret);
    } catch (err) {
      this.#opts.logger.error("a new key Secret could not be loaded", { error: describeError(err) });
      return;
    }
    if (this.ring.size !== before) this.onChange?.();
  }
}

function notBefore(key: SealingKey): number {
  return key.certificate?.notBefore.getTime() ?? 0;
}

/** Sleep any length (in chunks Node's timers accept). */
async function sleepLong(ms: number, signal: AbortSignal): Promise<void> {
  let left = ms;
  while (left > 0 && !signal.aborted) {
    const step = Math.min(left, MAX_TIMER_MS);
    await sleep(systemClock, step, signal);
    left -= step;
  }
}
