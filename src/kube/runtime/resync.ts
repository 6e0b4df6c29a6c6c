/**
 * A periodic callback with jitter, for controllers that re-check every
 * object now and then: each period is `periodMs` stretched by up to
 * `jitter` (0.1 = up to 10% longer), so many controllers or replicas do not
 * resync in step.
 */
import type { Clock, Timer } from "./clock.js";

/** Options of {@link startResync}. */
export interface ResyncOptions {
  readonly periodMs: number;
  /** Fraction of the period added at random (0 = none). */
  readonly jitter: number;
  readonly clock: Clock;
  /** A number in [0, 1) (default `Math.random`). */
  readonly random?: (() => number) | undefined;
}

/** The delay before the next resync. */
export function jittered(periodMs: number, jitter: number, random: () => number): number {
  return periodMs * (1 + Math.max(0, jitter) * random());
}

/** Call `tick` every period (with jitter) until the returned function is called. A period of 0 or less never ticks. */
export function startResync(options: ResyncOptions, tick: () => void): () => void {
  if (options.periodMs <= 0) return () => undefined;
  const random = options.random ?? Math.random;
  let timer: Timer | undefined;
  let stopped = false;
  const schedule = (): void => {
    timer = options.clock.setTimer(() => {
      if (stopped) return;
      tick();
      schedule();
    }, jittered(options.periodMs, options.jitter, random));
  };
  schedule();
  return () => {
    stopped = true;
    timer?.cancel();
  };
}
