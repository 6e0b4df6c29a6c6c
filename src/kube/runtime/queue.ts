/**
 * A keyed work queue, like client-go's rate-limited workqueue:
 *
 * - a key is never worked on by two workers at once;
 * - adding a key that is already waiting does nothing, and adding one that
 *   is being worked on runs it once more after the current run (coalesced);
 * - a failed run is retried after a per-key exponential backoff, capped,
 *   up to `maxRetries`; a success or `forget` resets the count;
 * - `addAfter` queues a key later (the earliest request wins);
 * - a `requeueAfterMs` result is jittered by up to ±`requeueJitter` of it
 *   (Flux's `--interval-jitter-percentage`), so that objects reconciled
 *   together (all of them, after a restart) do not come due together at
 *   every interval after;
 * - at most `concurrency` keys run at once;
 * - a paused queue collects keys but runs none (controllers stay paused
 *   until their caches have synced).
 *
 * Time comes from an injected {@link Clock}.
 */
import { describeError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { systemClock } from "./clock.js";
import type { Clock, Timer } from "./clock.js";

/** What a worker says about one run. */
export interface WorkResult {
  /** Run the key again after its backoff (counts against `maxRetries`). */
  readonly retry?: boolean | undefined;
  /** Run the key again after this long (not a failure: the retry count is reset). */
  readonly requeueAfterMs?: number | undefined;
}

/** Works on one key. A throw counts as `{ retry: true }`. */
export type Worker = (key: string) => Promise<WorkResult>;

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Keys worked on at the same time. */
  readonly concurrency: number;
  /** Retries after the first failed run; `Infinity` never gives up. */
  readonly maxRetries: number;
  /** Backoff of the first retry; doubles up to `maxBackoffMs`. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /**
   * A `requeueAfterMs` is stretched or shortened at random by up to this
   * fraction of it (0.05 = ±5%; 0 = exact). Retry backoff is not jittered.
   */
  readonly requeueJitter: number;
  /** A number in [0, 1), for the jitter (default `Math.random`). */
  readonly random: () => number;
  /** Start paused (see `resume()`). */
  readonly paused: boolean;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
}

export function defaultWorkQueueOptions(): WorkQueueOptions {
  return { concurrency: 4, maxRetries: 5, baseBackoffMs: 50, maxBackoffMs: 30_000, requeueJitter: 0, random: Math.random, paused: false, clock: systemClock, logger: undefined };
}

interface Delayed {
  readonly at: number;
  readonly timer: Timer;
}

/** See the module comment. */
export class WorkQueue {
  readonly #worker: Worker;
  readonly #opts: WorkQueueOptions;
  /** Keys waiting, in order (a Set keeps insertion order and drops duplicates). */
  readonly #waiting = new Set<string>();
  readonly #active = new Set<string>();
  /** Keys added again while active. */
  readonly #dirty = new Set<string>();
  readonly #retries = new Map<string, number>();
  readonly #delayed = new Map<string, Delayed>();
  readonly #idleWaiters: (() => void)[] = [];
  #paused: boolean;
  #stopped = false;

  constructor(worker: Worker, options: Partial<WorkQueueOptions> = {}) {
    this.#worker = worker;
    this.#opts = { ...defaultWorkQueueOptions(), ...options };
    this.#paused = this.#opts.paused;
  }

  /** Queue `key` now. A pending delayed add of it is cancelled (this run replaces it). */
  add(key: string): void {
    if (this.#stopped) return;
    this.#cancelDelayed(key);
    if (this.#active.has(key)) this.#dirty.add(key);
    else this.#waiting.add(key);
    this.#pump();
  }

  /** Queue `key` after `ms`; when it is already due earlier (waiting, or delayed less), nothing changes. */
  addAfter(key: string, ms: number): void {
    if (this.#stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    if (this.#waiting.has(key)) return;
    const at = this.#opts.clock.now() + ms;
    const current = this.#delayed.get(key);
    if (current !== undefined && current.at <= at) return;
    current?.timer.cancel();
    const timer = this.#opts.clock.setTimer(() => {
      this.#delayed.delete(key);
      if (this.#active.has(key)) this.#dirty.add(key);
      else this.#waiting.add(key);
      this.#pump();
    }, ms);
    this.#delayed.set(key, { at, timer });
  }

  /** Forget the retry count and any delayed add of `key` (after its object was deleted). */
  forget(key: string): void {
    this.#retries.delete(key);
    this.#cancelDelayed(key);
  }

  /** Failed runs of `key` since its last success. */
  retries(key: string): number {
    return this.#retries.get(key) ?? 0;
  }

  /** Keys waiting, running or delayed. */
  get length(): number {
    return this.#waiting.size + this.#active.size + this.#delayed.size;
  }

  /** Start running keys (a queue created `paused`). */
  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  /** Resolves when nothing is waiting or running (delayed keys are not waited for; a paused queue with waiting keys is not idle). */
  idle(): Promise<void> {
    if (this.#waiting.size === 0 && this.#active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stop taking work, drop waiting and delayed keys, and wait for running
   * keys to finish, at most `deadlineMs`. Resolves true when they finished.
   */
  async stop(deadlineMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    this.#stopped = true;
    this.#waiting.clear();
    this.#dirty.clear();
    for (const key of [...this.#delayed.keys()]) this.#cancelDelayed(key);
    this.#pump();
    if (this.#active.size === 0) return true;
    if (!Number.isFinite(deadlineMs)) {
      await this.idle();
      return true;
    }
    let timer: Timer | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = this.#opts.clock.setTimer(() => {
        resolve(false);
      }, deadlineMs);
    });
    const drained = await Promise.race([this.idle().then(() => true), late]);
    timer?.cancel();
    return drained;
  }

  #cancelDelayed(key: string): void {
    const delayed = this.#delayed.get(key);
    if (delayed === undefined) return;
    delayed.timer.cancel();
    this.#delayed.delete(key);
  }

  #pump(): void {
    while (!this.#stopped && !this.#paused && this.#active.size < this.#opts.concurrency) {
      const next = this.#waiting.values().next();
      if (next.done === true) break;
      this.#waiting.delete(next.value);
      this.#active.add(next.value);
      void this.#run(next.value);
    }
    if (this.#waiting.size === 0 && this.#active.size === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #run(key: string): Promise<void> {
    let result: WorkResult;
    try {
      result = await this.#worker(key);
    } catch (err) {
      this.#opts.logger?.error("worker failed", { key, error: describeError(err) });
      result = { retry: true };
    }
    this.#active.delete(key);
    if (this.#dirty.delete(key)) {
      this.#retries.delete(key);
      this.#waiting.add(key);
    } else if (result.retry === true) this.#scheduleRetry(key);
    else {
      this.#retries.delete(key);
      if (result.requeueAfterMs !== undefined) this.addAfter(key, jitteredMs(result.requeueAfterMs, this.#opts.requeueJitter, this.#opts.random));
    }
    this.#pump();
  }

  #scheduleRetry(key: string): void {
    const attempt = (this.#retries.get(key) ?? 0) + 1;
    if (this.#stopped) return;
    if (attempt > this.#opts.maxRetries) {
      this.#opts.logger?.warn("giving up after retries", { key, retries: attempt - 1 });
      this.#retries.delete(key);
      return;
    }
    this.#retries.set(key, attempt);
    this.addAfter(key, backoffMs(attempt, this.#opts.baseBackoffMs, this.#opts.maxBackoffMs));
  }
}

/** The delay before retry number `attempt` (1-based): `base * 2^(attempt-1)`, at most `max`. */
export function backoffMs(attempt: number, base: number, max: number): number {
  return Math.min(base * 2 ** Math.min(attempt - 1, 52), max);
}

/**
 * `ms` moved by up to ±`jitter` of it: `ms * (1 + jitter * (2r - 1))` for
 * `r` in [0, 1), rounded; `jitter` is clamped to [0, 1].
 */
export function jitteredMs(ms: number, jitter: number, random: () => number): number {
  const j = Math.min(1, Math.max(0, jitter));
  if (j === 0 || ms <= 0) return ms;
  return Math.max(0, Math.round(ms * (1 + j * (2 * random() - 1))));
}
