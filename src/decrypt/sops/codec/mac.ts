/**
 * The file MAC (docs/formats.md#a7-mac): SHA-512 over the plaintext bytes of every non-comment
 * leaf in walk order (only the encrypted ones with `mac_only_encrypted`,
 * after a fixed 32-byte prefix), as 128 uppercase hex characters.
 */
import { createHash } from "node:crypto";
import type { Hash } from "node:crypto";

/** SHA-256("sops"): fed first when `mac_only_encrypted` is set. */
export const MAC_ONLY_ENCRYPTED_INIT = Buffer.from("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69", "hex");

export class MacBuilder {
  readonly #hash: Hash = createHash("sha512");
  readonly #onlyEncrypted: boolean;

  constructor(macOnlyEncrypted: boolean) {
    this.#onlyEncrypted = macOnlyEncrypted;
    if (macOnlyEncrypted) this.#hash.update(MAC_ONLY_ENCRYPTED_INIT);
  }

  /** Feed one leaf's plaintext bytes (the caller skips comments and nulls). */
  add(plaintext: Uint8Array, encrypted: boolean): void {
    if (!this.#onlyEncrypted || encrypted) this.#hash.update(plaintext);
  }

  /** The MAC text: uppercase hex of the digest. Call once. */
  digest(): string {
    return this.#hash.digest("hex").toUpperCase();
  }
}
