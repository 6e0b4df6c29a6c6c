/**
 * The plumbing of a typical controller, like controller-runtime's builder:
 * watch a primary kind (`for`), optionally other kinds mapped back to
 * primary keys (`owns` / `watches`), queue `namespace/name` keys, and call
 * one `reconcile(key, object)` per key, one at a time per key, at most
 * `queue.concurrency` keys at once (default 4), with backoff on failure,
 * requeues (`requeueAfterMs`) jittered by ±5% by default, and an optional
 * resync with jitter. It is a
 * {@link Controller} by itself; a controller with more to start (keys, an
 * HTTP server) wraps one.
 */
import type { ResourceType } from "../paths.js";
import type { Controller, ControllerContext, StopOptions } from "./controller.js";
import type { SharedInformer } from "./informer.js";
import { WorkQueue } from "./queue.js";
import type { WorkQueueOptions, WorkResult } from "./queue.js";
import { startResync } from "./resync.js";
import type { Transform } from "./transforms.js";

/** A watched collection. */
export interface WatchSource<S> {
  readonly resource: ResourceType;
  /** Namespaces to watch (one informer each); undefined = all namespaces. */
  readonly namespaces?: readonly string[] | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** What is cached of each object (see `transforms.ts`). Use the shared ones to share watches. */
  readonly transform?: Transform<S> | undefined;
}

/** The kind the controller reconciles. */
export interface PrimaryWatch<P> extends WatchSource<P> {
  /** Whether an update queues the object (default: always); e.g. ignore status-only updates. */
  readonly changed?: ((previous: P, next: P) => boolean) | undefined;
}

/** Which event a secondary object had. */
export type SecondaryEvent = "added" | "updated" | "deleted";

/** Another kind whose changes concern primary objects (produced Secrets, referenced Secrets, …). */
export interface SecondaryWatch<S> extends WatchSource<S> {
  /** Keys of the primary objects an event on `object` concerns (often its owner's key, or none). */
  readonly map: (key: string, object: S, event: SecondaryEvent) => readonly string[];
  /** Map the objects of the first list too (default false: only changes after it). */
  readonly includeInitial?: boolean | undefined;
}

/** Erase a secondary watch's object type, to list watches of different kinds together. */
export function secondary<S>(watch: SecondaryWatch<S>): SecondaryWatch<unknown> {
  return watch as unknown as SecondaryWatch<unknown>;
}

/** Options of {@link ReconcileLoop}. */
export interface ReconcileLoopOptions<P> {
  readonly name: string;
  readonly primary: PrimaryWatch<P>;
  readonly secondary?: readonly SecondaryWatch<unknown>[] | undefined;
  /**
   * Bring the world in line with the primary object under `key` (undefined
   * when it was deleted). Return `{ retry: true }` (or throw) to retry with
   * backoff, `{ requeueAfterMs }` to look again later.
   */
  readonly reconcile: (key: string, object: P | undefined) => Promise<WorkResult>;
  /** Queue options; `requeueJitter` defaults to {@link DEFAULT_REQUEUE_JITTER} here (0 in a bare WorkQueue). */
  readonly queue?: Partial<Omit<WorkQueueOptions, "paused" | "clock" | "logger">> | undefined;
  /** Queue every primary object this often; 0 = never. */
  readonly resyncPeriodMs?: number | undefined;
  /** Up to this fraction of the period is added at random (default 0.1). */
  readonly resyncJitter?: number | undefined;
}

/**
 * The requeue jitter of a reconcile loop unless its options say otherwise:
 * ±5%, as Flux's controllers (`--interval-jitter-percentage=5`).
 */
export const DEFAULT_REQUEUE_JITTER = 0.05;

/** See the module comment. */
export class ReconcileLoop<P> implements Controller {
  readonly name: string;
  readonly #opts: ReconcileLoopOptions<P>;
  #primaries: SharedInformer<P>[] = [];
  #secondaries: SharedInformer[] = [];
  #queue: WorkQueue | undefined;
  #stopResync: () => void = () => undefined;
  #unregister: (() => void)[] = [];

  constructor(options: ReconcileLoopOptions<P>) {
    this.name = options.name;
    this.#opts = options;
  }

  /** Register the informers and handlers; work starts once they have synced. */
  start(ctx: ControllerContext): Promise<void> {
    const o = this.#opts;
    const queue = new WorkQueue((key) => o.reconcile(key, this.get(key)), { requeueJitter: DEFAULT_REQUEUE_JITTER, ...o.queue, paused: true, clock: ctx.clock, logger: ctx.logger });
    this.#queue = queue;
    this.#primaries = informersOf(ctx, o.primary);
    for (const informer of this.#primaries) this.#unregister.push(informer.addHandler(this.#primaryHandler(queue)));
    for (const watch of o.secondary ?? []) {
      for (const informer of informersOf(ctx, watch)) {
        this.#secondaries.push(informer);
        this.#unregister.push(informer.addHandler(secondaryHandler(watch, queue)));
      }
    }
    this.#stopResync = startResync({ periodMs: o.resyncPeriodMs ?? 0, jitter: o.resyncJitter ?? 0.1, clock: ctx.clock }, () => {
      this.resync();
    });
    void this.#synced().then(() => {
      queue.resume();
    });
    return Promise.resolve();
  }

  #primaryHandler(queue: WorkQueue): Parameters<SharedInformer<P>["addHandler"]>[0] {
    const changed = this.#opts.primary.changed;
    return {
      added: (key) => {
        queue.add(key);
      },
      updated: (key, previous, next) => {
        if (changed === undefined || changed(previous, next)) queue.add(key);
      },
      deleted: (key) => {
        queue.forget(key);
        queue.add(key);
      },
    };
  }

  #synced(): Promise<unknown> {
    return Promise.all([...this.#primaries, ...this.#secondaries].map((i) => i.synced()));
  }

  /** The cached primary object under `key`. */
  get(key: string): P | undefined {
    for (const informer of this.#primaries) {
      const found = informer.get(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Keys of every cached primary object. */
  keys(): string[] {
    return this.#primaries.flatMap((i) => [...i.keys()]);
  }

  /** Number of cached primary objects. */
  get size(): number {
    return this.#primaries.reduce((n, i) => n + i.size, 0);
  }

  /** Queue `key` now. */
  enqueue(key: string): void {
    this.#queue?.add(key);
  }

  /** Queue `key` after `ms`. */
  enqueueAfter(key: string, ms: number): void {
    this.#queue?.addAfter(key, ms);
  }

  /** Queue every cached primary object. */
  resync(): void {
    for (const key of this.keys()) this.enqueue(key);
  }

  /** Resolves when the informers have synced and no key is waiting or running. */
  async idle(): Promise<void> {
    await this.#synced();
    await this.#queue?.idle();
  }

  /** Stop the resync and the queue (in-flight reconciles get up to the deadline). Informers belong to the manager. */
  async stop(options: StopOptions = { deadlineMs: Number.POSITIVE_INFINITY }): Promise<void> {
    this.#stopResync();
    for (const unregister of this.#unregister.splice(0)) unregister();
    await this.#queue?.stop(options.deadlineMs);
  }
}

function informersOf<S>(ctx: ControllerContext, watch: WatchSource<S>): SharedInformer<S>[] {
  const namespaces = watch.namespaces ?? [undefined];
  return namespaces.map((namespace) =>
    ctx.informers.informer<S>({ resource: watch.resource, namespace, labelSelector: watch.labelSelector, fieldSelector: watch.fieldSelector, transform: watch.transform }),
  );
}

function secondaryHandler(watch: SecondaryWatch<unknown>, queue: WorkQueue): Parameters<SharedInformer["addHandler"]>[0] {
  const queueAll = (keys: readonly string[]): void => {
    for (const key of keys) queue.add(key);
  };
  return {
    added: (key, object, initial) => {
      if (!initial || watch.includeInitial === true) queueAll(watch.map(key, object, "added"));
    },
    updated: (key, _previous, object) => {
      queueAll(watch.map(key, object, "updated"));
    },
    deleted: (key, previous) => {
      queueAll(watch.map(key, previous, "deleted"));
    },
  };
}
