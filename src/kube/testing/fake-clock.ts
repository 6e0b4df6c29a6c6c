/**
 * A clock for tests: time stands still until `advance()` moves it, and
 * timers fire in order as it passes them.
 */
import type { Clock, Timer } from "../runtime/clock.js";

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** See the module comment. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #pending = new Map<number, Pending>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): Timer {
    const seq = this.#seq++;
    this.#pending.set(seq, { at: this.#now + Math.max(0, ms), seq, fn });
    return {
      cancel: () => {
        this.#pending.delete(seq);
      },
    };
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#pending.size;
  }

  /** When the next timer fires, if any. */
  nextAt(): number | undefined {
    const next = this.#next();
    return next?.at;
  }

  /** Move time forward by `ms`, firing every timer due on the way (including ones those timers set). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#next();
      if (next === undefined || next.at > target) break;
      this.#pending.delete(next.seq);
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }

  #next(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.#pending.values()) if (best === undefined || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    return best;
  }
}
