/** Options of the ExternalSecrets controller. */
import type { TokenCache } from "../../providers/index.js";

export interface ExternalSecretsControllerOptions {
  /** Namespaces to watch; undefined = all. */
  readonly namespaces: readonly string[] | undefined;
  /** Controller class (`spec.controller` of stores); stores with another non-empty class are left to other controllers. */
  readonly controllerClass: string;
  /** Refuse stores that are not Ready (ESO's flood gate). */
  readonly floodGate: boolean;
  /** Up to this fraction of a refresh interval is added at random to each refresh (no refresh storms). */
  readonly refreshJitter: number;
  /**
   * Refreshes already overdue when the controller first sees them (after a
   * restart) are spread over this window (at most `refreshJitter` of the
   * interval); those reading the same paths together, so their reads coalesce.
   */
  readonly restartSpreadMs: number;
  /** Vault GETs for the same path within this window share one request. */
  readonly coalesceWindowMs: number;
  /** Per-store rate limit of periodic refreshes (per second, burst); first syncs and repairs are not limited. */
  readonly storeReadsPerSecond: number;
  readonly storeReadBurst: number;
  /** Capped exponential backoff of failed reconciles. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** How often stores are validated again. */
  readonly storeRequeueMs: number;
  readonly concurrency: number;
  /** The token cache (tests pass one to count logins). */
  readonly tokens: TokenCache | undefined;
  readonly random: () => number;
}

export function defaultExternalSecretsControllerOptions(): ExternalSecretsControllerOptions {
  return {
    namespaces: undefined,
    controllerClass: "default",
    floodGate: true,
    refreshJitter: 0.1,
    restartSpreadMs: 60_000,
    coalesceWindowMs: 2_000,
    storeReadsPerSecond: 50,
    storeReadBurst: 100,
    baseBackoffMs: 500,
    maxBackoffMs: 5 * 60_000,
    storeRequeueMs: 5 * 60_000,
    concurrency: 16,
    tokens: undefined,
    random: Math.random,
  };
}
