/**
 * Options of the Sealed Secrets controller, with bitnami's defaults where
 * bitnami has the same setting (except the listen address: loopback).
 */
import { Logger } from "../../core/index.js";
import { UnsealCache, generateSealingKeyPair } from "../../decrypt/sealed-secrets/index.js";
import type { GeneratedKeyPair, KeyGenOptions } from "../../decrypt/sealed-secrets/index.js";
import type { MasterKeyRef, ProviderRegistry } from "../../providers/index.js";

/** Options of `SealedSecretsController.start`. */
export interface SealedSecretsControllerOptions {
  /** Controller namespace: key Secrets live here (bitnami: `$POD_NAMESPACE`, else `default`). */
  readonly keyNamespace: string;
  /** Namespaces whose SealedSecrets are reconciled; undefined = all namespaces. */
  readonly watchNamespaces: readonly string[] | undefined;
  /** Only SealedSecrets matching this label selector (bitnami `--label-selector`). */
  readonly labelSelector: string | undefined;
  readonly keyPrefix: string;
  readonly keySize: number;
  readonly keyTtlMs: number;
  readonly commonName: string;
  /** 0 turns renewal off. Default 30 days. */
  readonly keyRenewPeriodMs: number;
  readonly keyCutoffTime: Date | undefined;
  readonly privateKeyLabels: Readonly<Record<string, string>>;
  readonly privateKeyAnnotations: Readonly<Record<string, string>>;
  /** Wrap new private keys with this provider key; unwrapping uses `providers`. */
  readonly wrapPrivateKeysWith: MasterKeyRef | undefined;
  /** With `wrapPrivateKeysWith`: wrap existing plain key Secrets in place at start. */
  readonly wrapExistingKeys: boolean;
  readonly providers: ProviderRegistry | undefined;
  /** `host:port` of the HTTP endpoints; undefined = no server. */
  readonly listenAddr: string | undefined;
  /** `/v1/verify` token bucket. */
  readonly rateLimit: number;
  readonly rateLimitBurst: number;
  readonly maxUnsealRetries: number;
  readonly updateStatus: boolean;
  /** Do not watch produced Secrets (bitnami `--skip-recreate`): no drift repair. */
  readonly skipRecreate: boolean;
  readonly acceptDeprecatedV1Data: boolean;
  /** Reconciles running at once. */
  readonly concurrency: number;
  /** Re-reconcile everything this often; 0 = never (bitnami has no resync). */
  readonly resyncPeriodMs: number;
  /** The unseal results cache (shared with the HTTP endpoints). */
  readonly cache: UnsealCache;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** Key pair generation (tests inject smaller keys). */
  readonly generateKeyPair: (options: Partial<KeyGenOptions>) => Promise<GeneratedKeyPair>;
  /** Events' `reportingInstance`. */
  readonly instance: string;
}

export const DEFAULT_LISTEN_ADDR = "127.0.0.1:8080";
export const DEFAULT_KEY_RENEW_PERIOD_MS = 720 * 3_600_000;

export function defaultSealedSecretsControllerOptions(): SealedSecretsControllerOptions {
  return {
    keyNamespace: "default",
    watchNamespaces: undefined,
    labelSelector: undefined,
    keyPrefix: "sealed-secrets-key",
    keySize: 4096,
    keyTtlMs: 87_600 * 3_600_000,
    commonName: "",
    keyRenewPeriodMs: DEFAULT_KEY_RENEW_PERIOD_MS,
    keyCutoffTime: undefined,
    privateKeyLabels: {},
    privateKeyAnnotations: {},
    wrapPrivateKeysWith: undefined,
    wrapExistingKeys: false,
    providers: undefined,
    listenAddr: DEFAULT_LISTEN_ADDR,
    rateLimit: 2,
    rateLimitBurst: 2,
    maxUnsealRetries: 5,
    updateStatus: true,
    skipRecreate: false,
    acceptDeprecatedV1Data: true,
    concurrency: 4,
    resyncPeriodMs: 0,
    cache: new UnsealCache(),
    logger: new Logger(),
    clock: () => new Date(),
    generateKeyPair: generateSealingKeyPair,
    instance: "sigil",
  };
}
