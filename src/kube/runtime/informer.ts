/**
 * A shared informer: one list+watch of one collection (a resource, in one
 * namespace or all, with optional label and field selectors), a local cache
 * of its objects, and any number of handlers that hear about adds, updates
 * and deletes, like client-go's shared informer.
 *
 * - The first list fills the cache page by page; `synced()` resolves then.
 * - The watch resumes from the last resourceVersion it saw (bookmarks
 *   included) after the server ends it or the connection breaks; only a
 *   `410 Gone` (`kube.expired`) makes it list again, and a relist reports
 *   objects that disappeared meanwhile as deletes.
 * - Each object passes through a `transform` before it is cached, so large
 *   collections stay small in memory (drop managedFields, Secret data, …).
 *   Handlers see the cached (transformed) form.
 */
import { describeError, isSigilError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { objectKey, resourcePath } from "../paths.js";
import type { ResourceType } from "../paths.js";
import type { KubeClient, Query, WatchEvent } from "../types.js";
import { aborted, sleep } from "./clock.js";
import type { Clock } from "./clock.js";
import type { Transform } from "./transforms.js";

/** What an informer tells a handler. `initial` is true for objects of the first list (and for the replay a late handler gets). */
export interface InformerHandler<S> {
  added?(key: string, object: S, initial: boolean): void;
  updated?(key: string, previous: S, object: S): void;
  deleted?(key: string, previous: S): void;
}

/** Which collection an informer watches. */
export interface InformerSpec<S> {
  readonly resource: ResourceType;
  /** One namespace; undefined = all namespaces (or a cluster-scoped resource). */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** What is cached of each object (default: the object as received). */
  readonly transform?: Transform<S> | undefined;
}

/** Tuning of the list+watch loop. */
export interface InformerOptions {
  /** Items per list page. */
  readonly pageSize: number;
  /** Server-side watch timeout; the watch is re-opened (resumed) after it. */
  readonly watchTimeoutSeconds: number;
  /** Delay before retrying after an error: doubles from `minBackoffMs` to `maxBackoffMs`. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

export function defaultInformerOptions(): InformerOptions {
  return { pageSize: 500, watchTimeoutSeconds: 300, minBackoffMs: 200, maxBackoffMs: 10_000 };
}

/** What an informer needs besides its spec. */
export interface InformerDeps {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly clock: Clock;
}

interface Entry<S> {
  readonly rv: string;
  readonly object: S;
}

type Meta = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } } | undefined;

/** See the module comment. */
export class SharedInformer<S = unknown> {
  readonly spec: InformerSpec<S>;
  readonly #deps: InformerDeps;
  readonly #opts: InformerOptions;
  readonly #store = new Map<string, Entry<S>>();
  readonly #handlers = new Set<InformerHandler<S>>();
  #resourceVersion = "";
  #listed = false;
  #syncedResolve: (() => void) | undefined;
  readonly #synced: Promise<void>;

  constructor(spec: InformerSpec<S>, deps: InformerDeps, options: Partial<InformerOptions> = {}) {
    this.spec = spec;
    this.#deps = deps;
    this.#opts = { ...defaultInformerOptions(), ...options };
    this.#synced = new Promise((resolve) => (this.#syncedResolve = resolve));
  }

  /** The collection path this informer lists and watches. */
  get path(): string {
    return resourcePath(this.spec.resource, { namespace: this.spec.namespace });
  }

  /** The cached object under `namespace/name` (`/name` when cluster-scoped). */
  get(key: string): S | undefined {
    return this.#store.get(key)?.object;
  }

  /** Keys of every cached object. */
  keys(): IterableIterator<string> {
    return this.#store.keys();
  }

  get size(): number {
    return this.#store.size;
  }

  /** True once the first list is in the cache. */
  get hasSynced(): boolean {
    return this.#listed;
  }

  /** The resourceVersion the watch resumes from ("" before the first list). */
  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  /** Resolves once the first full list is in the cache. */
  synced(): Promise<void> {
    return this.#synced;
  }

  /**
   * Register a handler; returns a function that removes it. A handler added
   * after the first list hears every cached object as an initial add first.
   */
  addHandler(handler: InformerHandler<S>): () => void {
    this.#handlers.add(handler);
    if (this.#listed) for (const [key, entry] of this.#store) this.#call(() => handler.added?.(key, entry.object, true));
    return () => this.#handlers.delete(handler);
  }

  /** List and watch until `signal` aborts. Never rejects: errors are logged and retried with backoff. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = this.#opts.minBackoffMs;
    while (!aborted(signal)) {
      let relisted = false;
      try {
        if (this.#resourceVersion === "") {
          await this.#relist();
          relisted = true;
        }
        backoff = this.#opts.minBackoffMs;
        await this.#watch(signal);
      } catch (err) {
        if (aborted(signal)) return;
        // A 410 right after a fresh list is not retried at once (no tight loop against a confused server).
        if (isSigilError(err, "kube.expired") && !relisted) {
          this.#deps.logger.info("watch expired; listing again", { path: this.path });
          this.#resourceVersion = "";
          continue;
        }
        if (isSigilError(err, "kube.expired")) this.#resourceVersion = "";
        this.#deps.logger.warn("list/watch failed; retrying", { path: this.path, error: describeError(err), retryInMs: backoff });
        await sleep(this.#deps.clock, backoff, signal);
        backoff = Math.min(backoff * 2, this.#opts.maxBackoffMs);
      }
    }
  }

  #query(): Query {
    return { labelSelector: this.spec.labelSelector, fieldSelector: this.spec.fieldSelector };
  }

  #transform(object: unknown): S {
    const transform = this.spec.transform;
    return transform === undefined ? (object as S) : transform.apply(object);
  }

  async #relist(): Promise<void> {
    const fresh = new Map<string, Entry<S>>();
    let token: string | undefined;
    let resourceVersion: string;
    do {
      const page = await this.#deps.client.list<Meta>(this.path, { ...this.#query(), limit: this.#opts.pageSize, continue: token });
      for (const item of page.items) fresh.set(objectKey(item?.metadata), { rv: item?.metadata?.resourceVersion ?? "", object: this.#transform(item) });
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

  /** Take a full list: objects gone are deleted, new ones added, changed ones (by resourceVersion) updated. */
  #replace(fresh: Map<string, Entry<S>>): void {
    const initial = !this.#listed;
    for (const [key, previous] of [...this.#store]) {
      if (fresh.has(key)) continue;
      this.#store.delete(key);
      this.#emit((h) => h.deleted?.(key, previous.object));
    }
    for (const [key, entry] of fresh) {
      const previous = this.#store.get(key);
      if (previous !== undefined && previous.rv === entry.rv && entry.rv !== "") continue;
      this.#put(key, entry, initial);
    }
  }

  async #watch(signal: AbortSignal): Promise<void> {
    const query = { ...this.#query(), resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.#opts.watchTimeoutSeconds };
    const onEvent = (event: WatchEvent<Meta>): void => {
      this.#onEvent(event);
    };
    await this.#deps.client.watch<Meta>(this.path, query, onEvent, signal);
  }

  #onEvent(event: WatchEvent<Meta>): void {
    const rv = event.object?.metadata?.resourceVersion ?? "";
    if (rv !== "") this.#resourceVersion = rv;
    if (event.type === "BOOKMARK") return;
    const key = objectKey(event.object?.metadata);
    if (event.type === "DELETED") {
      const previous = this.#store.get(key);
      if (previous === undefined) return;
      this.#store.delete(key);
      this.#emit((h) => h.deleted?.(key, previous.object));
      return;
    }
    this.#put(key, { rv, object: this.#transform(event.object) }, false);
  }

  #put(key: string, entry: Entry<S>, initial: boolean): void {
    const previous = this.#store.get(key);
    this.#store.set(key, entry);
    if (previous === undefined) this.#emit((h) => h.added?.(key, entry.object, initial));
    else this.#emit((h) => h.updated?.(key, previous.object, entry.object));
  }

  #emit(call: (handler: InformerHandler<S>) => void): void {
    for (const handler of this.#handlers) this.#call(() => {
      call(handler);
    });
  }

  /** A handler that throws is logged; it never stops the informer or the other handlers. */
  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#deps.logger.error("an informer handler failed", { path: this.path, error: describeError(err) });
    }
  }
}
