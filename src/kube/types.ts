/**
 * The small Kubernetes interface Sigil is written against. It speaks
 * plain JSON objects (no generated model classes), so the controllers can
 * keep thousands of objects in memory cheaply and tests can fake it with a
 * plain object.
 */

/** Query parameters of a request (undefined values are left out). */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** One page of a list. */
export interface ListPage<T> {
  readonly items: T[];
  readonly resourceVersion: string;
  /** Token for the next page; empty or undefined on the last. */
  readonly continue: string | undefined;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** One event of a watch stream. `object` is a `Status` for `ERROR` events. */
export interface WatchEvent<T> {
  readonly type: WatchEventType;
  readonly object: T;
}

/** The patch flavours the API server accepts. */
export const PATCH_TYPES = {
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  json: "application/json-patch+json",
  /** Server-side apply (JSON is valid YAML); needs a `fieldManager` query parameter. */
  apply: "application/apply-patch+yaml",
} as const;
export type PatchType = keyof typeof PATCH_TYPES;

/**
 * The Kubernetes calls the operator makes. Paths are API paths such as
 * `/api/v1/namespaces/ns/secrets/name` (see `paths.ts`).
 *
 * Every method throws `SigilError` with a `kube.*` code on failure:
 * `kube.not_found` (404; `get` returns undefined instead), `kube.conflict`
 * (409), `kube.unauthorized` (401), `kube.forbidden` (403), `kube.invalid` (400/422),
 * `kube.immutable` (422 on an immutable field), `kube.expired` (410, a
 * watch's resourceVersion is too old), `kube.unreachable` (network), and
 * `kube.failed` (anything else). Messages carry the API server's own text,
 * scrubbed (`errors.ts`): values it quotes are removed, bodies never echoed.
 */
export interface KubeClient {
  /** The object at `path`, or undefined when it does not exist. */
  get<T>(path: string, query?: Query): Promise<T | undefined>;
  /** One page of the collection at `path`. */
  list<T>(path: string, query?: Query): Promise<ListPage<T>>;
  /** Create; `query` carries e.g. `dryRun=All`, `fieldManager`. */
  create<T>(path: string, body: unknown, query?: Query): Promise<T>;
  replace<T>(path: string, body: unknown, query?: Query): Promise<T>;
  /** Patch; for `apply` (server-side apply) `query` must carry `fieldManager`, and may carry `force` and `dryRun=All`. */
  patch<T>(path: string, body: unknown, type: PatchType, query?: Query): Promise<T>;
  /** Delete; returns false when it was already gone. `query` carries e.g. `propagationPolicy`, `dryRun=All`. */
  delete(path: string, query?: Query): Promise<boolean>;
  /**
   * Stream watch events of the collection at `path` to `onEvent` until the
   * server ends the stream (resolves) or `signal` aborts (resolves).
   */
  watch<T>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void>;
}
