/**
 * The process's informers: one per (resource, namespace, selectors,
 * transform). Controllers ask for the collections they need; asking twice
 * gives the same informer, so one watch serves every controller. Informers
 * asked for before `start()` start with it; later ones start at once.
 */
import { SigilError } from "../../core/index.js";
import { SharedInformer } from "./informer.js";
import type { InformerDeps, InformerOptions, InformerSpec } from "./informer.js";

/** See the module comment. */
export class SharedInformers {
  readonly #deps: InformerDeps;
  readonly #opts: Partial<InformerOptions>;
  readonly #informers = new Map<string, SharedInformer>();
  readonly #running: Promise<void>[] = [];
  #abort: AbortController | undefined;

  constructor(deps: InformerDeps, options: Partial<InformerOptions> = {}) {
    this.#deps = deps;
    this.#opts = options;
  }

  /**
   * The informer of `spec`, created on first use.
   * @throws SigilError `internal` when a different transform function was registered under the same transform id.
   */
  informer<S>(spec: InformerSpec<S>): SharedInformer<S> {
    const key = informerKey(spec);
    const existing = this.#informers.get(key) as SharedInformer<S> | undefined;
    if (existing !== undefined) {
      if (existing.spec.transform?.apply !== spec.transform?.apply) {
        throw new SigilError("internal", `two different transforms are named '${spec.transform?.id ?? ""}'`, { subject: key });
      }
      return existing;
    }
    const created = new SharedInformer<S>(spec, this.#deps, this.#opts);
    this.#informers.set(key, created);
    if (this.#abort !== undefined) this.#running.push(created.run(this.#abort.signal));
    return created;
  }

  /** Every informer so far. */
  all(): SharedInformer[] {
    return [...this.#informers.values()];
  }

  /** Start every informer (and any created later) until `stop()`. */
  start(): void {
    if (this.#abort !== undefined) return;
    this.#abort = new AbortController();
    const signal = this.#abort.signal;
    for (const informer of this.#informers.values()) this.#running.push(informer.run(signal));
  }

  /** True once started and every informer has listed once. */
  get hasSynced(): boolean {
    return this.#abort !== undefined && this.all().every((i) => i.hasSynced);
  }

  /** Resolves when every informer created so far has listed once. */
  async synced(): Promise<void> {
    await Promise.all(this.all().map((i) => i.synced()));
  }

  /** Stop every watch and wait for the loops to end. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    await Promise.allSettled(this.#running.splice(0));
  }
}

/** What makes two informers the same. */
export function informerKey(spec: InformerSpec<unknown>): string {
  const r = spec.resource;
  return JSON.stringify([r.group, r.version, r.plural, spec.namespace ?? "", spec.labelSelector ?? "", spec.fieldSelector ?? "", spec.transform?.id ?? ""]);
}
