/**
 * A cache of unsealed values, keyed by a digest of (label, ciphertext), so
 * re-reconciling unchanged SealedSecrets performs no RSA private-key
 * operation. An entry remembers which key opened it and is only served while
 * that key is still in the ring. The label is part of the digest: a
 * ciphertext moved to another name or namespace never hits the cache.
 */
import { createHash } from "node:crypto";

export interface UnsealCacheOptions {
  /** Entries kept (least recently used are evicted first). */
  readonly maxEntries: number;
}

export function defaultUnsealCacheOptions(): UnsealCacheOptions {
  return { maxEntries: 20_000 };
}

interface Entry {
  readonly fingerprint: string;
  readonly plaintext: Buffer;
}

/** Anything that can say whether it still holds a key. */
export interface KeyPresence {
  has(fingerprint: string): boolean;
}

export class UnsealCache {
  readonly #opts: UnsealCacheOptions;
  readonly #entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(options: Partial<UnsealCacheOptions> = {}) {
    this.#opts = { ...defaultUnsealCacheOptions(), ...options };
  }

  /** The cache key: SHA-256 over the label length, the label and the blob. */
  static digest(label: Uint8Array, blob: Uint8Array): string {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(label.byteLength);
    return createHash("sha256").update(len).update(label).update(blob).digest("base64");
  }

  /** A copy of the cached plaintext, if the key that opened it is still in `keys`. */
  get(label: Uint8Array, blob: Uint8Array, keys: KeyPresence): { plaintext: Buffer; fingerprint: string } | undefined {
    const digest = UnsealCache.digest(label, blob);
    const entry = this.#entries.get(digest);
    if (entry === undefined || !keys.has(entry.fingerprint)) {
      this.misses++;
      return undefined;
    }
    this.#entries.delete(digest);
    this.#entries.set(digest, entry);
    this.hits++;
    return { plaintext: Buffer.from(entry.plaintext), fingerprint: entry.fingerprint };
  }

  set(label: Uint8Array, blob: Uint8Array, fingerprint: string, plaintext: Uint8Array): void {
    const digest = UnsealCache.digest(label, blob);
    this.#entries.delete(digest);
    this.#entries.set(digest, { fingerprint, plaintext: Buffer.from(plaintext) });
    while (this.#entries.size > this.#opts.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Drop every entry opened by a key (when a key is removed). */
  forgetKey(fingerprint: string): void {
    for (const [digest, entry] of this.#entries) if (entry.fingerprint === fingerprint) this.#entries.delete(digest);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
