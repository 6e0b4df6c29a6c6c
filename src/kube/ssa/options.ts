/** Options of the server-side apply verbs. */

/** Options of `apply`. */
export interface ApplyOptions {
  /** The field manager the writes are made as (required by server-side apply). */
  readonly fieldManager: string;
  /** Take over fields owned by other field managers instead of failing with `apply.conflict`. */
  readonly force: boolean;
  /** Ask the API server what would happen (`dryRun=All`) and write nothing. */
  readonly dryRun: boolean;
  /** Delete and create again an object whose immutable fields change (also per object: `kustomize.toolkit.fluxcd.io/force: enabled`). */
  readonly recreateOnImmutable: boolean;
  /** Namespace for namespaced objects that name none. */
  readonly defaultNamespace: string;
  /** How long a staged apply waits for CRDs to be established and Namespaces active. */
  readonly stageTimeoutMs: number;
  /** How many objects are diffed (GET + dry-run apply) at once; writes stay one at a time, in install order. */
  readonly concurrency: number;
}

/** Defaults: field manager `sigil`, no force, real writes, no recreation, namespace `default`, 60 s per stage, 8 diffs at once. */
export function defaultApplyOptions(): ApplyOptions {
  return { fieldManager: "sigil", force: false, dryRun: false, recreateOnImmutable: false, defaultNamespace: "default", stageTimeoutMs: 60_000, concurrency: 8 };
}

/** How dependents are deleted (the API server's `propagationPolicy`). */
export type PropagationPolicy = "Foreground" | "Background" | "Orphan";

/** Options of `delete`. */
export interface DeleteOptions {
  readonly propagationPolicy: PropagationPolicy;
  readonly dryRun: boolean;
  readonly defaultNamespace: string;
  /** Labels the live object must carry (all, with these values) to be deleted, like Flux's `Inclusions`; others are skipped as `not owned`. */
  readonly requireLabels: Readonly<Record<string, string>>;
}

/** Defaults: background propagation (the API server's default for most kinds), real deletes, no label required. */
export function defaultDeleteOptions(): DeleteOptions {
  return { propagationPolicy: "Background", dryRun: false, defaultNamespace: "default", requireLabels: {} };
}

/** Options of `wait`. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly defaultNamespace: string;
}

/** Defaults: 60 s, polling every 500 ms. */
export function defaultWaitOptions(): WaitOptions {
  return { timeoutMs: 60_000, intervalMs: 500, defaultNamespace: "default" };
}
