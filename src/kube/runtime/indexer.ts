/**
 * A secondary index over informer caches, like client-go's `Indexer`: each
 * cached object is filed under the values an index function gives it (an
 * ExternalSecret under its target Secret's key, a Deployment under each
 * Secret it names), so "which objects name X?" is a map lookup instead of
 * a scan of the whole cache on every event.
 */
import type { InformerHandler, SharedInformer } from "./informer.js";

/** See the module comment. */
export class Indexer<S> {
  readonly #indexFn: (key: string, object: S) => readonly string[];
  readonly #byValue = new Map<string, Set<string>>();
  readonly #byKey = new Map<string, readonly string[]>();

  /** `indexFn` gives the values `object` (cached under `key`) is filed under. */
  constructor(indexFn: (key: string, object: S) => readonly string[]) {
    this.#indexFn = indexFn;
  }

  /** Keys of the objects filed under `value`. */
  lookup(value: string): string[] {
    return [...(this.#byValue.get(value) ?? [])];
  }

  /** File (or re-file) the object under `key`. */
  set(key: string, object: S): void {
    this.remove(key);
    const values = [...new Set(this.#indexFn(key, object))];
    this.#byKey.set(key, values);
    for (const v of values) {
      let keys = this.#byValue.get(v);
      if (keys === undefined) this.#byValue.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Forget the object under `key`. */
  remove(key: string): void {
    for (const v of this.#byKey.get(key) ?? []) {
      const keys = this.#byValue.get(v);
      keys?.delete(key);
      if (keys?.size === 0) this.#byValue.delete(v);
    }
    this.#byKey.delete(key);
  }

  /** The handler that keeps the index in step with an informer. */
  handler(): InformerHandler<S> {
    return {
      added: (key, object) => { this.set(key, object); },
      updated: (key, _previous, object) => { this.set(key, object); },
      deleted: (key) => { this.remove(key); },
    };
  }

  /** Keep the index in step with `informers`; returns a function that detaches it. */
  attach(informers: readonly SharedInformer<S>[]): () => void {
    const detach = informers.map((i) => i.addHandler(this.handler()));
    return () => { for (const d of detach) d(); };
  }
}
