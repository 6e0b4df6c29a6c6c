/**
 * The age key provider: wraps a data key for exactly one recipient as an
 * ASCII-armored age file (the `enc` sops stores), and unwraps it with the
 * identities found at start-up. Identities are loaded lazily, once, on the
 * first unwrap, so encrypting never asks for a key-file passphrase.
 * `age-encryption` itself is imported on the first wrap or unwrap.
 */
import type { Decrypter } from "age-encryption";
import { SigilError, registerSecret } from "../../core/index.js";
import type { AgeKeyRef, KeyProvider } from "../types.js";
import { defaultAgeProviderOptions } from "./config.js";
import type { AgeProviderOptions } from "./config.js";
import { describeAgeSearch, loadAgeIdentities } from "./identities.js";
import type { AgeIdentitySet, LoadedAgeIdentity } from "./identities.js";
import { decodeArmor } from "./native-armor.js";
import { decryptX25519, nativeX25519Identity } from "./native-x25519.js";
import type { NativeX25519Identity } from "./native-x25519.js";
import { ageRecipientRef } from "./recipient.js";
import { loadTypage } from "./typage.js";
import type { TypageModule } from "./typage.js";

export class AgeProvider implements KeyProvider<AgeKeyRef> {
  readonly type = "age" as const;
  readonly #opts: AgeProviderOptions;
  #loaded: Promise<AgeIdentitySet> | undefined;
  /** One Decrypter per recipient, built once: typage then parses each identity once, not per file. */
  readonly #decrypters = new Map<string, Decrypter>();
  /** Prepared node:crypto X25519 keys per recipient, for the fast path. */
  readonly #native = new Map<string, NativeX25519Identity[]>();

  constructor(options: Partial<AgeProviderOptions> = {}) {
    this.#opts = { ...defaultAgeProviderOptions(), ...options };
  }

  /**
   * Age-encrypt `plaintext` to `key.recipient` and armor it (ends with `\n`).
   * @throws SigilError `provider.invalid_key` for an invalid or unsupported recipient.
   */
  async wrap(key: AgeKeyRef, plaintext: Uint8Array): Promise<string> {
    const ref = ageRecipientRef(key.recipient);
    const { Encrypter, armor } = await loadTypage();
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
    const native = decodeArmor(enc);
    const fast = native === undefined ? undefined : decryptX25519(native, this.#nativeFor(key.recipient.trim(), mine));
    if (fast !== null && fast !== undefined) {
      registerSecret(fast);
      return new Uint8Array(fast);
    }
    const typage = await loadTypage();
    let file: Uint8Array;
    try {
      file = typage.armor.decode(enc);
    } catch (cause) {
      throw new SigilError("decrypt.invalid_ciphertext", `the age-wrapped data key for ${this.describe(key)} is not valid armored age data`, {
        cause,
      });
    }
    // Outside the fast path, or it failed: typage decides (and names the failure).
    const decrypter = this.#decrypterFor(typage, key.recipient.trim(), mine);
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

  #nativeFor(recipient: string, identities: readonly LoadedAgeIdentity[]): NativeX25519Identity[] {
    let prepared = this.#native.get(recipient);
    if (prepared === undefined) {
      prepared = identities.map((i) => i.native ?? nativeX25519Identity(i.identity)).filter((i) => i !== undefined);
      this.#native.set(recipient, prepared);
    }
    return prepared;
  }

  #decrypterFor(typage: TypageModule, recipient: string, identities: readonly LoadedAgeIdentity[]): Decrypter {
    let decrypter = this.#decrypters.get(recipient);
    if (decrypter === undefined) {
      decrypter = new typage.Decrypter();
      for (const id of identities) decrypter.addIdentity(id.identity);
      this.#decrypters.set(recipient, decrypter);
    }
    return decrypter;
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
