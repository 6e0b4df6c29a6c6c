/**
 * The key-provider contract. A provider wraps and unwraps small secrets
 * (a SOPS data key or Shamir share, a sealing private key) with a master key
 * it knows how to reach. Credentials, HTTP clients, clocks and randomness are
 * injected when the provider is constructed; a provider never reads
 * `process.env` or global config itself.
 */

/** An age X25519 (or other age) recipient, as written in SOPS metadata. */
export interface AgeKeyRef {
  readonly type: "age";
  /** `age1…` recipient string. */
  readonly recipient: string;
}

/** An AWS KMS key, as written in SOPS metadata. */
export interface KmsKeyRef {
  readonly type: "kms";
  readonly arn: string;
  /** IAM role to assume through STS before calling KMS. */
  readonly role?: string | undefined;
  /** KMS EncryptionContext. */
  readonly context?: Readonly<Record<string, string>> | undefined;
  /** Shared-config profile name. */
  readonly awsProfile?: string | undefined;
}

/** A Vault (or OpenBao) transit key, as written in SOPS metadata. */
export interface VaultKeyRef {
  readonly type: "hc_vault";
  /** `scheme://host[:port]` */
  readonly vaultAddress: string;
  /** Mount path of the transit engine, e.g. `transit` or `team/transit`. */
  readonly enginePath: string;
  readonly keyName: string;
}

export type MasterKeyRef = AgeKeyRef | KmsKeyRef | VaultKeyRef;
export type ProviderType = MasterKeyRef["type"];

/**
 * One provider. `wrap` returns the exact string stored in SOPS metadata
 * (`enc`); `unwrap` reverses it.
 *
 * Error contract (as in typage): `unwrap` returns `null` when the key is
 * "not mine" (for example no age identity for this recipient), and throws a
 * `SigilError` only when the key is mine and something is broken
 * (`provider.unreachable`, `provider.denied`, `provider.failed`,
 * `provider.invalid_key`). Thrown errors never contain the plaintext.
 */
export interface KeyProvider<K extends MasterKeyRef = MasterKeyRef> {
  readonly type: K["type"];
  wrap(key: K, plaintext: Uint8Array): Promise<string>;
  unwrap(key: K, enc: string): Promise<Uint8Array | null>;
  /** Human-readable description of a key for error messages (no secrets). */
  describe(key: K): string;
}
