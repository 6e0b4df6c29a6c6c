/**
 * The one way this area reaches `age-encryption` (typage) at run time: a
 * memoized dynamic import. Importing typage costs about 16 MB of RSS, and a
 * process that never wraps or unwraps with age (the operator, unless a
 * sealing key is wrapped for an age recipient) should not pay for it.
 */
import type * as Typage from "age-encryption";

/** The `age-encryption` module namespace. */
export type TypageModule = typeof Typage;

let loading: Promise<TypageModule> | undefined;

/**
 * Import `age-encryption` on first use; later calls share the same promise.
 * A failed import is not memoized, so a later call tries again.
 * @throws whatever the import throws (a missing or broken installation).
 */
export function loadTypage(): Promise<TypageModule> {
  if (loading === undefined) {
    const attempt = import("age-encryption");
    loading = attempt;
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
  }
  return loading;
}
