/**
 * A map with a size cap that forgets its least recently used entries first.
 * `get` and `set` count as uses. Built on a `Map`'s insertion order.
 */

/** See the module comment. */
export class LruMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #maxSize: number;
  readonly #onEvict: ((key: K, value: V) => void) | undefined;

  /**
   * @param maxSize entries kept (at least 1).
   * @param onEvict called for each entry dropped to keep the cap (not for `delete` or `clear`).
   */
  constructor(maxSize: number, onEvict?: (key: K, value: V) => void) {
    this.#maxSize = Math.max(1, Math.floor(maxSize));
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value of `key`, which becomes the most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** The value of `key` without counting it as a use. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Set `key` (the most recently used now), evicting the least recently used entries beyond the cap. */
  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.#maxSize) {
      const oldest = this.#entries.entries().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value[0]);
      this.#onEvict?.(oldest.value[0], oldest.value[1]);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Entries from least to most recently used. */
  entries(): IterableIterator<[K, V]> {
    return this.#entries.entries();
  }
}
