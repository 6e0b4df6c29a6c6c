/**
 * Counting RSA private-key operations from outside Sigil's code: every
 * `privateDecrypt` (RSA-OAEP unwrap of a session key), `privateEncrypt` and
 * `sign` made through `node:crypto` in this process goes through a counting
 * wrapper. `syncBuiltinESMExports()` makes ES module imports of
 * `node:crypto` (which are live bindings) see the wrapper too.
 */
import { createRequire, syncBuiltinESMExports } from "node:module";

type CryptoModule = typeof import("node:crypto");

/** The number of RSA private-key operations so far in this process. */
export interface PrivateKeyCounter {
  readonly count: () => number;
}

let installed: PrivateKeyCounter | undefined;

/** Install the counting wrappers (once per process) and return the counter. */
export function countPrivateKeyOperations(): PrivateKeyCounter {
  if (installed !== undefined) return installed;
  const crypto = createRequire(import.meta.url)("node:crypto") as CryptoModule;
  const table = crypto as unknown as Record<string, unknown>;
  let n = 0;
  const wrap = (name: "privateDecrypt" | "privateEncrypt" | "sign"): void => {
    const original = crypto[name] as (...args: unknown[]) => unknown;
    table[name] = (...args: unknown[]): unknown => {
      n++;
      return original(...args);
    };
  };
  wrap("privateDecrypt");
  wrap("privateEncrypt");
  wrap("sign");
  syncBuiltinESMExports();
  installed = { count: () => n };
  return installed;
}
