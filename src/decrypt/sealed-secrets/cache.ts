/**
 * A cache of unsealed values, keyed by a digest of (label, ciphertext), so
 * re-reconciling unchanged SealedSecrets performs no RSA private-key
 * operation. An entry remembers which key opened it and is only served while
 * that key is still in the ring. The label is part of the digest: a
 * ciphertext moved to another name or namespace never hits the cache.
 */
import { createHash } from "node:crypto";
import { LruMap } from "../../core/index.js";

export interface UnsealCacheOptions {
  /** Entries kept (least recently used are evicted first). */
  readonly maxEntries: number;
}

export function defaultUnsealCacheOptions(): UnsealCacheOptions {
  return { maxEntries: 20_000 };
}

interface Entry {
  readonly fingerprint: string;
  /**
   * The plaintext bytes as a one-byte (latin1) string, not a Buffer: a small
   * Buffer is a slice of Node's shared 8 KB allocation pool, and keeping it
   * keeps the whole slab alive, with whatever short-lived buffers (HTTP
   * bodies, decoded ciphertexts) shared it. 10,000 cached values of a few
   * bytes held about 40 MB of slabs that way (docs/benchmarks.md, Sealed
   * Secrets); as strings they take about 0.3 MB.
   */
  readonly plaintext: string;
}

/** Anything that can say whether it still holds a key. */
export interface KeyPresence {
  has(fingerprint: string): boolean;
}

export class UnsealCache {
  readonly #opts: UnsealCacheOptions;
  readonly #entries: LruMap<string, Entry>;
  hits = 0;
  misses = 0;

  constructor(options: Partial<UnsealCacheOptions> = {}) {
    this.#opts = { ...defaultUnsealCacheOptions(), ...options };
    this.#entries = new LruMap(this.#opts.maxEntries);
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
    const entry = this.#entries.peek(digest);
    if (entry === undefined || !keys.has(entry.fingerprint)) {
      this.misses++;
      return undefined;
    }
    this.#entries.get(digest);
    this.hits++;
    return { plaintext: Buffer.from(entry.plaintext, "latin1"), fingerprint: entry.fingerprint };
  }

  set(label: Uint8Array, blob: Uint8Array, fingerprint: string, plaintext: Uint8Array): void {
    const digest = UnsealCache.digest(label, blob);
    this.#entries.set(digest, { fingerprint, plaintext: Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).toString("latin1") });
  }

  /** Drop every entry opened by a key (when a key is removed). */
  forgetKey(fingerprint: string): void {
    for (const [digest, entry] of [...this.#entries.entries()]) if (entry.fingerprint === fingerprint) this.#entries.delete(digest);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
