/**
 * Reading small local files (key files, `.sops.yaml`, one input file) for
 * the CLI: synchronously, behind a promise for the callers that take an
 * injectable async reader. `node:fs/promises` would load Node's streams and
 * readline layers and start libuv's thread pool at every CLI start (a few
 * milliseconds of a call that tools make once per file; docs/benchmarks.md,
 * start-up), for files read once.
 */
import { readFileSync, statSync } from "node:fs";

/** `readFileSync` as a promise: resolves with the bytes, or rejects with the `fs` error (`code: "ENOENT"`, …). */
export function readFileNow(path: string): Promise<Buffer> {
  try {
    return Promise.resolve(readFileSync(path));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** Whether anything exists at `path` (following links), as a promise. */
export function existsNow(path: string): Promise<boolean> {
  try {
    statSync(path);
    return Promise.resolve(true);
  } catch {
    return Promise.resolve(false);
  }
}
