/**
 * The AWS KMS key provider: `Encrypt` / `Decrypt` with the key's
 * EncryptionContext, the region taken from the ARN, and the role and profile
 * handed to the injected client factory. The stored `enc` is the base64
 * CiphertextBlob, as sops writes it.
 */
import { SigilError, decodeBase64Strict, registerSecret } from "../../core/index.js";
import type { KeyProvider, KmsKeyRef } from "../types.js";
import { kmsRegionFromArn } from "./arn.js";
import type { KmsClient, KmsProviderOptions } from "./config.js";
import { mapKmsError } from "./errors.js";

export class KmsProvider implements KeyProvider<KmsKeyRef> {
  readonly type = "kms" as const;
  readonly #opts: KmsProviderOptions;

  constructor(options: KmsProviderOptions) {
    this.#opts = options;
  }

  /**
   * Encrypt `plaintext` under `key.arn` with the key's EncryptionContext.
   * @throws SigilError `provider.invalid_key` (bad ARN), `provider.unreachable`,
   *   `provider.denied`, `provider.not_configured` (no credentials), `provider.failed`.
   */
  async wrap(key: KmsKeyRef, plaintext: Uint8Array): Promise<string> {
    const client = this.#client(key);
    const out = await client
      .encrypt({ KeyId: key.arn, Plaintext: plaintext, EncryptionContext: key.context ?? {} })
      .catch((err: unknown) => {
        throw mapKmsError(err, "encrypt", this.describe(key));
      });
    if (out.CiphertextBlob === undefined || out.CiphertextBlob.byteLength === 0) {
      throw new SigilError("provider.failed", `kms encrypt returned no ciphertext for ${this.describe(key)}`, { subject: key.arn });
    }
    return Buffer.from(out.CiphertextBlob).toString("base64");
  }

  /**
   * Decrypt the base64 CiphertextBlob `enc`. Never returns `null`: a KMS key
   * is always "mine" to try.
   * @throws SigilError `decrypt.invalid_ciphertext` (not base64), `provider.denied`
   *   (also for a wrong EncryptionContext), `provider.unreachable`,
   *   `provider.not_configured`, `provider.failed`, `provider.invalid_key`.
   */
  async unwrap(key: KmsKeyRef, enc: string): Promise<Uint8Array> {
    const compact = enc.replace(/\s+/g, "");
    const blob = compact === "" ? undefined : decodeBase64Strict(compact);
    if (blob === undefined) {
      throw new SigilError("decrypt.invalid_ciphertext", `the kms-wrapped data key for ${this.describe(key)} is not valid base64`, {
        subject: key.arn,
      });
    }
    const client = this.#client(key);
    const out = await client
      .decrypt({ KeyId: key.arn, CiphertextBlob: blob, EncryptionContext: key.context ?? {} })
      .catch((err: unknown) => {
        throw mapKmsError(err, "decrypt", this.describe(key));
      });
    if (out.Plaintext === undefined) {
      throw new SigilError("provider.failed", `kms decrypt returned no plaintext for ${this.describe(key)}`, { subject: key.arn });
    }
    const plaintext = new Uint8Array(out.Plaintext);
    registerSecret(plaintext);
    return plaintext;
  }

  describe(key: KmsKeyRef): string {
    const role = key.role === undefined ? "" : ` (role ${key.role})`;
    const profile = key.awsProfile === undefined || key.awsProfile === "" ? "" : ` (profile ${key.awsProfile})`;
    return `kms key ${key.arn}${role}${profile}`;
  }

  #client(key: KmsKeyRef): KmsClient {
    const region = kmsRegionFromArn(key.arn);
    const profile = key.awsProfile === "" ? undefined : key.awsProfile;
    return this.#opts.clients({ region, role: key.role, profile });
  }
}
