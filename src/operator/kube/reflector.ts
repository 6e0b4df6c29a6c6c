/**
 * List-then-watch with a local store, like client-go's reflector: the store
 * holds a projection of each object (whatever the caller needs to keep, so
 * large collections stay small in memory), and handlers hear about adds,
 * updates and deletes, including deletes found by a relist after a watch
 * broke.
 */
import { describeError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { isSigilError } from "../../core/index.js";
import { objectKey } from "../../kube/index.js";
import type { KubeClient, KubeObject, Query, WatchEvent } from "../../kube/index.js";

/** What a reflector tells its owner. `initial` is true for objects of the first list. */
export interface ReflectorHandler<T, S> {
  added?(key: string, stored: S, object: T, initial: boolean): void;
  updated?(key: string, previous: S, stored: S, object: T): void;
  deleted?(key: string, previous: S): void;
}

/** Options of {@link Reflector}. */
export interface ReflectorOptions<T extends KubeObject, S> {
  readonly client: KubeClient;
  /** Collection path, e.g. `/api/v1/secrets` or `/api/v1/namespaces/a/secrets`. */
  readonly path: string;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** What to keep of each object (default: the object itself). */
  readonly project: (object: T) => S;
  readonly handler: ReflectorHandler<T, S>;
  readonly logger: Logger;
  /** Items per list page. */
  readonly pageSize: number;
  /** Server-side watch timeout; the watch is re-opened after it. */
  readonly watchTimeoutSeconds: number;
  /** Delay before relisting after an error: doubles from `minBackoffMs` to `maxBackoffMs`. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

export function defaultReflectorOptions(): Pick<ReflectorOptions<KubeObject, unknown>, "pageSize" | "watchTimeoutSeconds" | "minBackoffMs" | "maxBackoffMs"> {
  return { pageSize: 500, watchTimeoutSeconds: 300, minBackoffMs: 200, maxBackoffMs: 10_000 };
}

type Options<T extends KubeObject, S> = Pick<ReflectorOptions<T, S>, "client" | "path" | "project" | "handler" | "logger"> &
  Partial<ReflectorOptions<T, S>>;

/** A list+watch loop over one collection. */
export class Reflector<T extends KubeObject, S = T> {
  readonly store = new Map<string, S>();
  readonly #opts: ReflectorOptions<T, S>;
  #resourceVersion = "";
  #listed = false;
  #syncedResolve: (() => void) | undefined;
  readonly #synced: Promise<void>;

  constructor(options: Options<T, S>) {
    this.#opts = { ...defaultReflectorOptions(), ...options };
    this.#synced = new Promise((resolve) => (this.#syncedResolve = resolve));
  }

  /** Resolves once the first full list is in the store. */
  synced(): Promise<void> {
    return this.#synced;
  }

  /** Run until `signal` aborts. Never rejects: errors are logged and retried. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = this.#opts.minBackoffMs;
    while (!signal.aborted) {
      try {
        if (this.#resourceVersion === "") await this.#relist();
        backoff = this.#opts.minBackoffMs;
        await this.#watch(signal);
      } catch (err) {
        if (aborted(signal)) return;
        if (isSigilError(err, "kube.expired")) {
          this.#resourceVersion = "";
          continue;
        }
        this.#opts.logger.warn("list/watch failed; retrying", { path: this.#opts.path, error: describeError(err), retryInMs: backoff });
        this.#resourceVersion = "";
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, this.#opts.maxBackoffMs);
      }
    }
  }

  #query(): Query {
    return { labelSelector: this.#opts.labelSelector, fieldSelector: this.#opts.fieldSelector };
  }

  async #relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let token: string | undefined;
    let resourceVersion: string;
    do {
      const page = await this.#opts.client.list<T>(this.#opts.path, { ...this.#query(), limit: this.#opts.pageSize, continue: token });
      for (const item of page.items) fresh.set(objectKey(item.metadata), item);
      token = page.continue === "" ? undefined : page.continue;
      resourceVersion = page.resourceVersion;
    } while (token !== undefined);
    this.#replace(fresh);
    this.#resourceVersion = resourceVersion;
    if (!this.#listed) {
      this.#listed = true;
      this.#syncedResolve?.();
    }
  }

  #replace(fresh: Map<string, T>): void {
    const initial = !this.#listed;
    for (const [key, previous] of [...this.store]) {
      if (fresh.has(key)) continue;
      this.store.delete(key);
      this.#opts.handler.deleted?.(key, previous);
    }
    for (const [key, object] of fresh) this.#apply("ADDED", key, object, initial);
  }

  async #watch(signal: AbortSignal): Promise<void> {
    const query = { ...this.#query(), resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.#opts.watchTimeoutSeconds };
    const onEvent = (event: WatchEvent<T>): void => {
      this.#onEvent(event);
    };
    await this.#opts.client.watch<T>(this.#opts.path, query, onEvent, signal);
  }

  #onEvent(event: WatchEvent<T>): void {
    const rv = event.object.metadata?.resourceVersion;
    if (rv !== undefined && rv !== "") this.#resourceVersion = rv;
    if (event.type === "BOOKMARK") return;
    const key = objectKey(event.object.metadata);
    if (event.type === "DELETED") {
      const previous = this.store.get(key);
      if (previous === undefined) return;
      this.store.delete(key);
      this.#opts.handler.deleted?.(key, previous);
      return;
    }
    this.#apply(event.type, key, event.object, false);
  }

  #apply(type: WatchEvent<T>["type"], key: string, object: T, initial: boolean): void {
    const stored = this.#opts.project(object);
    const previous = this.store.get(key);
    this.store.set(key, stored);
    if (previous === undefined) this.#opts.handler.added?.(key, stored, object, initial && type === "ADDED");
    else this.#opts.handler.updated?.(key, previous, stored, object);
  }
}

/** `signal.aborted`, read through a call (the flag changes while awaiting, which type narrowing cannot see). */
export function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Sleep `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
