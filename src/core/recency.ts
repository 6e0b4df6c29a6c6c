/**
 * Strings in least-recently-used order, for the redactor's bound. Touching
 * and evicting are O(1) amortised: a queue of (value, generation) entries
 * where a touch appends a new entry and leaves the old one stale, skipped
 * when it reaches the front. (A `Map` re-inserted on each touch would do the
 * same, but it keeps deleted slots until it is rehashed, and evicting from
 * its front then walks them again on every call.)
 */
export class Recency {
  readonly #generation = new Map<string, number>();
  #values: string[] = [];
  #generations: number[] = [];
  #head = 0;
  #next = 0;

  get size(): number {
    return this.#generation.size;
  }

  has(value: string): boolean {
    return this.#generation.has(value);
  }

  /** Mark `value` as just used. Returns true when it was not held before. */
  touch(value: string): boolean {
    const isNew = !this.#generation.has(value);
    const generation = this.#next++;
    this.#generation.set(value, generation);
    this.#values.push(value);
    this.#generations.push(generation);
    this.#compact();
    return isNew;
  }

  /** Forget `value`. Returns true when it was held. */
  delete(value: string): boolean {
    return this.#generation.delete(value);
  }

  /** Remove and return the least recently used value, or undefined when empty. */
  shift(): string | undefined {
    while (this.#head < this.#values.length) {
      const value = this.#values[this.#head];
      const generation = this.#generations[this.#head];
      this.#head++;
      if (value !== undefined && this.#generation.get(value) === generation) {
        this.#generation.delete(value);
        return value;
      }
    }
    return undefined;
  }

  clear(): void {
    this.#generation.clear();
    this.#values = [];
    this.#generations = [];
    this.#head = 0;
  }

  /** Drop consumed entries, and rebuild the queue when stale entries outnumber live ones. */
  #compact(): void {
    const queued = this.#values.length - this.#head;
    if (queued > 2 * this.#generation.size + 1024) {
      const live = [...this.#generation].sort((a, b) => a[1] - b[1]);
      this.#values = live.map(([value]) => value);
      this.#generations = live.map(([, generation]) => generation);
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#values.length) {
      this.#values = this.#values.slice(this.#head);
      this.#generations = this.#generations.slice(this.#head);
      this.#head = 0;
    }
  }
}
