/**
 * Render and decrypt once per revision. Rendering a path (YAML parsing, or
 * `kustomize build`) and decrypting its SOPS files cost about a CPU-second
 * for 1,000 objects, and a re-sync of an unchanged revision would do both
 * again for the same result. A long-running reconciler keeps, per owner (a
 * Sync), the decrypted manifests of its last render together with the
 * scope they were made under, and reuses them while the scope is the same.
 *
 * The scope is the caller's: everything the output depends on (the
 * artifact's revision and directory, the Sync's uid and spec generation,
 * the version of its decryption Secret). It names versions, never values.
 * The manifests hold decrypted Secret values: they stay in this process's
 * memory (never written, logged or put in status), are replaced when the
 * scope changes, dropped with {@link RenderMemory.forget}, and bounded in
 * total ({@link RenderMemoryOptions.maxObjects}; the owners used least
 * recently go first). Nothing is persisted: a restart renders again.
 */
import type { Manifest } from "../render/index.js";

export interface RenderMemoryOptions {
  /** At most this many manifests are kept, over all owners (default 10,000). */
  readonly maxObjects: number;
}

/** One reconcile's view of the memory (see the module comment). */
export interface RenderCache {
  /** The decrypted manifests of this scope, if they are kept (treat as read-only: they are shared with later reconciles). */
  get(): readonly Manifest[] | undefined;
  /** Keep `manifests`, the decrypted render of this scope. */
  remember(manifests: readonly Manifest[]): void;
}

interface Kept {
  readonly scope: string;
  readonly manifests: readonly Manifest[];
}

/** See the module comment. */
export class RenderMemory {
  readonly #opts: RenderMemoryOptions;
  /** By owner, in order of last use (a Map keeps insertion order: the first is the least recently used). */
  readonly #byOwner = new Map<string, Kept>();
  #objects = 0;

  constructor(options: Partial<RenderMemoryOptions> = {}) {
    this.#opts = { maxObjects: 10_000, ...options };
  }

  /**
   * The cache for one reconcile of `owner` under `scope`. `cacheable` is asked when the manifests are to be kept:
   * false keeps nothing (the render used inputs the scope does not name, such as the cluster's sealing keys).
   */
  session(owner: string, scope: string, cacheable: () => boolean = () => true): RenderCache {
    return {
      get: () => {
        const kept = this.#byOwner.get(owner);
        if (kept?.scope !== scope) return undefined;
        this.#byOwner.delete(owner);
        this.#byOwner.set(owner, kept);
        return kept.manifests;
      },
      remember: (manifests) => {
        this.forget(owner);
        if (!cacheable() || manifests.length > this.#opts.maxObjects) return;
        this.#byOwner.set(owner, { scope, manifests: Object.freeze([...manifests]) });
        this.#objects += manifests.length;
        this.#evict();
      },
    };
  }

  /** Drop what is kept for `owner` (deleted). */
  forget(owner: string): void {
    const kept = this.#byOwner.get(owner);
    if (kept === undefined) return;
    this.#byOwner.delete(owner);
    this.#objects -= kept.manifests.length;
  }

  /** How many owners and manifests are kept (tests, metrics). */
  get size(): { owners: number; objects: number } {
    return { owners: this.#byOwner.size, objects: this.#objects };
  }

  #evict(): void {
    for (const owner of this.#byOwner.keys()) {
      if (this.#objects <= this.#opts.maxObjects) return;
      this.forget(owner);
    }
  }
}
