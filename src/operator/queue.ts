/**
 * A keyed work queue with per-key serial processing: a key is never worked
 * on by two workers at once, adding a key that is already waiting does
 * nothing, and adding one that is being worked on runs it once more after
 * the current run. Failed runs are retried with exponential backoff up to a
 * limit.
 */
import { describeError } from "../core/index.js";
import type { Logger } from "../core/index.js";

/** What a worker says about one run. */
export interface WorkResult {
  /** Run the key again after a backoff (counts against `maxRetries`). */
  readonly retry: boolean;
}

export type Worker = (key: string) => Promise<WorkResult>;

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Keys worked on at the same time. */
  readonly concurrency: number;
  /** Retries after the first run (bitnami `--max-unseal-retries`). */
  readonly maxRetries: number;
  /** Backoff of the first retry; doubles up to `maxBackoffMs`. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly logger: Logger | undefined;
}

export function defaultWorkQueueOptions(): WorkQueueOptions {
  return { concurrency: 4, maxRetries: 5, baseBackoffMs: 50, maxBackoffMs: 30_000, logger: undefined };
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
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #idleWaiters: (() => void)[] = [];
  #stopped = false;

  constructor(worker: Worker, options: Partial<WorkQueueOptions> = {}) {
    this.#worker = worker;
    this.#opts = { ...defaultWorkQueueOptions(), ...options };
  }

  /** Queue `key` now. A pending retry timer for it is cancelled (the fresh run replaces it). */
  add(key: string): void {
    if (this.#stopped) return;
    const timer = this.#timers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#timers.delete(key);
    }
    if (this.#active.has(key)) this.#dirty.add(key);
    else this.#waiting.add(key);
    this.#pump();
  }

  /** Forget the retry count of `key` (after it was deleted). */
  forget(key: string): void {
    this.#retries.delete(key);
    const timer = this.#timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(key);
  }

  /** Keys waiting, running or scheduled for retry. */
  get length(): number {
    return this.#waiting.size + this.#active.size + this.#timers.size;
  }

  /** Resolves when nothing is waiting or running (scheduled retries are not waited for). */
  idle(): Promise<void> {
    if (this.#waiting.size === 0 && this.#active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stop taking work, cancel retries, and wait for running keys to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#waiting.clear();
    this.#dirty.clear();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await this.idle();
  }

  #pump(): void {
    while (!this.#stopped && this.#active.size < this.#opts.concurrency) {
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
    } else if (result.retry) this.#scheduleRetry(key);
    else this.#retries.delete(key);
    this.#pump();
  }

  #scheduleRetry(key: string): void {
    const attempt = (this.#retries.get(key) ?? 0) + 1;
    if (attempt > this.#opts.maxRetries || this.#stopped) {
      this.#opts.logger?.warn("giving up after retries", { key, retries: attempt - 1 });
      this.#retries.delete(key);
      return;
    }
    this.#retries.set(key, attempt);
    const delay = Math.min(this.#opts.baseBackoffMs * 2 ** (attempt - 1), this.#opts.maxBackoffMs);
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        if (this.#active.has(key)) this.#dirty.add(key);
        else this.#waiting.add(key);
        this.#pump();
      }, delay),
    );
  }
}
