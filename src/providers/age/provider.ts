/**
 * The age key provider: wraps a data key for exactly one recipient as an
 * ASCII-armored age file (the `enc` sops stores), and unwraps it with the
 * identities found at start-up. Identities are loaded lazily, once, on the
 * first unwrap, so encrypting never asks for a key-file passphrase.
 */
import { Decrypter, Encrypter, armor } from "age-encryption";
import { SigilError, registerSecret } from "../../core/index.js";
import type { AgeKeyRef, KeyProvider } from "../types.js";
import { defaultAgeProviderOptions } from "./config.js";
import type { AgeProviderOptions } from "./config.js";
import { describeAgeSearch, loadAgeIdentities } from "./identities.js";
import type { AgeIdentitySet } from "./identities.js";
import { ageRecipientRef } from "./recipient.js";

export class AgeProvider implements KeyProvider<AgeKeyRef> {
  readonly type = "age" as const;
  readonly #opts: AgeProviderOptions;
  #loaded: Promise<AgeIdentitySet> | undefined;

  constructor(options: Partial<AgeProviderOptions> = {}) {
    this.#opts = { ...defaultAgeProviderOptions(), ...options };
  }

  /**
   * Age-encrypt `plaintext` to `key.recipient` and armor it (ends with `\n`).
   * @throws SigilError `provider.invalid_key` for an invalid or unsupported recipient.
   */
  async wrap(key: AgeKeyRef, plaintext: Uint8Array): Promise<string> {
    const ref = ageRecipientRef(key.recipient);
    const encrypter = new Encrypter();
    encrypter.addRecipient(ref.recipient);
    return armor.encode(await encrypter.encrypt(plaintext));
  }

  /**
   * Unwrap with the identities whose recipient is `key.recipient`.
   * Returns `null` when no loaded identity belongs to that recipient.
   * @throws SigilError `decrypt.invalid_ciphertext` when `enc` is not a valid
   *   armored age file, or an identity of this recipient cannot open it
   *   (tampered header, wrong stanza, bad payload).
   */
  async unwrap(key: AgeKeyRef, enc: string): Promise<Uint8Array | null> {
    const set = await this.identities();
    const mine = set.identities.filter((i) => i.recipient === key.recipient.trim());
    if (mine.length === 0) return null;
    let file: Uint8Array;
    try {
      file = armor.decode(enc);
    } catch (cause) {
      throw new SigilError("decrypt.invalid_ciphertext", `the age-wrapped data key for ${this.describe(key)} is not valid armored age data`, {
        cause,
      });
    }
    const decrypter = new Decrypter();
    for (const id of mine) decrypter.addIdentity(id.identity);
    try {
      const plaintext = await decrypter.decrypt(file);
      registerSecret(plaintext);
      return plaintext;
    } catch (cause) {
      throw new SigilError("decrypt.invalid_ciphertext", `the age-wrapped data key for ${this.describe(key)} could not be opened by its identity`, {
        cause: cause instanceof Error ? new Error(cause.message) : undefined,
      });
    }
  }

  describe(key: AgeKeyRef): string {
    return `age recipient ${key.recipient}`;
  }

  /** Load (once) and return the identities and where they were looked for. */
  identities(): Promise<AgeIdentitySet> {
    this.#loaded ??= loadAgeIdentities(this.#opts.sources, this.#opts);
    return this.#loaded;
  }

  /**
   * Where identities were looked for and what was found, for a "no matching
   * key" message: `'SOPS_AGE_KEY' (not set), '/home/u/.config/sops/age/keys.txt' (1 identity)`.
   * Loads the identities if that has not happened yet. Never contains key material.
   */
  async searchReport(): Promise<string> {
    return describeAgeSearch((await this.identities()).searched);
  }
}
