/** Options of the rollout controller. */
export interface RolloutControllerOptions {
  /** Namespaces to watch; undefined = all. */
  readonly namespaces: readonly string[] | undefined;
  /** Also follow stakater Reloader's `secret.reloader.stakater.com/reload` (off: a cluster running Reloader would roll twice). */
  readonly reloaderAnnotation: boolean;
  readonly concurrency: number;
  /** Capped exponential backoff of failed reconciles. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
}

export function defaultRolloutControllerOptions(): RolloutControllerOptions {
  return { namespaces: undefined, reloaderAnnotation: false, concurrency: 2, baseBackoffMs: 500, maxBackoffMs: 5 * 60_000 };
}
