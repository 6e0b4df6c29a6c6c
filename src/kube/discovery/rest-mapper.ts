/**
 * Discovery and REST mapping: which resource (plural name) and scope a
 * group/version/kind has, read from the API server's per-group-version
 * discovery documents (`/api/v1`, `/apis/<group>/<version>`), one request
 * per group version used, cached. A kind the cache does not know makes
 * the mapper fetch its group version again (at most once per
 * `minRefreshMs`), so a CRD applied a moment ago becomes usable without a
 * restart.
 */
import { SigilError, isSigilError } from "../../core/index.js";
import type { KubeClient } from "../types.js";
import { apiVersionOf, describeGvk } from "./types.js";
import type { GroupVersionKind, ResourceMapping } from "./types.js";

/** Options of {@link RestMapper}. */
export interface RestMapperOptions {
  /** Least time between two fetches of the same group version caused by an unknown kind. */
  readonly minRefreshMs: number;
  /** Poll interval of {@link RestMapper.waitFor}. */
  readonly pollMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Defaults: refresh at most every 200 ms, poll every 200 ms, the real clock. */
export function defaultRestMapperOptions(): RestMapperOptions {
  return { minRefreshMs: 200, pollMs: 200, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}

interface ApiResource {
  readonly name?: string;
  readonly kind?: string;
  readonly namespaced?: boolean;
  readonly verbs?: readonly string[];
}

interface CachedGroupVersion {
  /** Kind → mapping; empty when the group version is not served. */
  readonly kinds: ReadonlyMap<string, ResourceMapping>;
  readonly fetchedAt: number;
}

/** The API path of a group version's discovery document. */
export function discoveryPath(gv: { readonly group: string; readonly version: string }): string {
  return gv.group === "" ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
}

/** Group/version/kind → resource and scope, cached per group version. */
export class RestMapper {
  readonly #client: KubeClient;
  readonly #opts: RestMapperOptions;
  readonly #cache = new Map<string, CachedGroupVersion>();
  readonly #inflight = new Map<string, Promise<CachedGroupVersion>>();

  constructor(client: KubeClient, options: Partial<RestMapperOptions> = {}) {
    this.#client = client;
    this.#opts = { ...defaultRestMapperOptions(), ...options };
  }

  /**
   * The mapping of a kind, or undefined when the API server does not serve
   * it (after one refresh of its group version).
   * @throws SigilError `kube.*` when discovery itself fails (other than 404).
   */
  async find(gvk: GroupVersionKind): Promise<ResourceMapping | undefined> {
    const key = apiVersionOf(gvk);
    let cached = this.#cache.get(key) ?? (await this.#fetch(gvk));
    let found = cached.kinds.get(gvk.kind);
    if (found === undefined && this.#opts.now() - cached.fetchedAt >= this.#opts.minRefreshMs) {
      cached = await this.#fetch(gvk);
      found = cached.kinds.get(gvk.kind);
    }
    return found;
  }

  /**
   * The mapping of a kind.
   * @throws SigilError `kube.unknown_kind` naming the kind when the API server does not serve it; `kube.*` when discovery fails.
   */
  async mapping(gvk: GroupVersionKind): Promise<ResourceMapping> {
    const found = await this.find(gvk);
    if (found === undefined) throw unknownKind(gvk);
    return found;
  }

  /**
   * The mapping of a kind, polling discovery until it is served (a CRD that
   * was just established can take a moment to appear) or `timeoutMs` passes.
   * @throws SigilError `kube.unknown_kind` after the timeout.
   */
  async waitFor(gvk: GroupVersionKind, timeoutMs: number): Promise<ResourceMapping> {
    const deadline = this.#opts.now() + timeoutMs;
    for (;;) {
      const found = await this.find(gvk);
      if (found !== undefined) return found;
      if (this.#opts.now() >= deadline) throw unknownKind(gvk);
      await this.#opts.sleep(this.#opts.pollMs);
    }
  }

  /** Forget everything (e.g. after CRDs were deleted). */
  reset(): void {
    this.#cache.clear();
  }

  #fetch(gv: { readonly group: string; readonly version: string }): Promise<CachedGroupVersion> {
    const key = apiVersionOf(gv);
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      pending = this.#load(gv).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  async #load(gv: { readonly group: string; readonly version: string }): Promise<CachedGroupVersion> {
    let list: { resources?: readonly ApiResource[] } | undefined;
    try {
      list = await this.#client.get<{ resources?: readonly ApiResource[] }>(discoveryPath(gv));
    } catch (err) {
      if (!isSigilError(err, "kube.not_found")) throw err;
      list = undefined;
    }
    const kinds = new Map<string, ResourceMapping>();
    for (const r of list?.resources ?? []) {
      // Subresources (`deployments/status`) share the kind of their parent.
      if (r.name === undefined || r.kind === undefined || r.name.includes("/")) continue;
      kinds.set(r.kind, { group: gv.group, version: gv.version, kind: r.kind, plural: r.name, namespaced: r.namespaced === true, verbs: r.verbs ?? [] });
    }
    const entry = { kinds, fetchedAt: this.#opts.now() };
    this.#cache.set(apiVersionOf(gv), entry);
    return entry;
  }
}

function unknownKind(gvk: GroupVersionKind): SigilError {
  return new SigilError("kube.unknown_kind", `the api server does not serve ${describeGvk(gvk)} (is its CustomResourceDefinition applied and established?)`, { subject: describeGvk(gvk) });
}
