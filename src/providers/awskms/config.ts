/**
 * What the KMS provider is given: a factory for narrow KMS clients (one per
 * region / role / profile), so tests can inject a fake or count calls.
 */

/** The two KMS operations the provider uses (shapes match the AWS SDK v3 commands). */
export interface KmsClient {
  encrypt(input: {
    readonly KeyId: string;
    readonly Plaintext: Uint8Array;
    readonly EncryptionContext: Readonly<Record<string, string>>;
  }): Promise<{ readonly CiphertextBlob?: Uint8Array | undefined }>;
  decrypt(input: {
    readonly KeyId: string;
    readonly CiphertextBlob: Uint8Array;
    readonly EncryptionContext: Readonly<Record<string, string>>;
  }): Promise<{ readonly Plaintext?: Uint8Array | undefined }>;
}

/** What a client is for: the region comes from the key ARN. */
export interface KmsClientParams {
  readonly region: string;
  /** IAM role to assume through STS first. */
  readonly role?: string | undefined;
  /** Shared-config profile (`aws_profile`). */
  readonly profile?: string | undefined;
}

export type KmsClientFactory = (params: KmsClientParams) => KmsClient;

export interface KmsProviderOptions {
  readonly clients: KmsClientFactory;
}
