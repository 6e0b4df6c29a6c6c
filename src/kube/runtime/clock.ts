/**
 * Time as the runtime sees it: the current time and timers, injected so
 * that queues, backoff and resync can be tested with a fake clock
 * (`src/kube/testing`) instead of real waits.
 */

/** A timer that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/** The current time and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Call `fn` once after `ms` milliseconds. */
  setTimer(fn: () => void, ms: number): Timer;
}

/** The real clock (`Date.now`, `setTimeout`). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return {
      cancel: () => {
        clearTimeout(handle);
      },
    };
  },
};

/** Resolve after `ms` on `clock`, or as soon as `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      timer.cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = clock.setTimer(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** `signal.aborted`, read through a call (the flag changes while awaiting, which type narrowing cannot see). */
export function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
