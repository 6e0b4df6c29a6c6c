/**
 * The temporary files a write has in flight, and their removal when the
 * process is interrupted. While at least one is registered, SIGINT, SIGTERM
 * and SIGHUP remove them all (synchronously) and exit with 128 + the
 * signal's number, as a shell reports a process killed by that signal.
 * With nothing registered, no handler is installed and a signal has its
 * default effect (the operator installs its own handlers).
 * A SIGKILL cannot be caught: what it can leave is a temporary file, which
 * is always created with mode 0600.
 */
import { unlinkSync } from "node:fs";
import { constants } from "node:os";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type CleanupSignal = (typeof SIGNALS)[number];

const live = new Set<string>();
const handlers = new Map<CleanupSignal, () => void>();

function removeAllSync(): void {
  for (const path of live) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  live.clear();
}

function onSignal(signal: CleanupSignal): void {
  removeAllSync();
  process.exit(128 + constants.signals[signal]);
}

function install(): void {
  for (const signal of SIGNALS) {
    const handler = (): void => {
      onSignal(signal);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
}

function uninstall(): void {
  for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  handlers.clear();
}

/** Track `path` as a temporary file to remove if the process is interrupted. */
export function registerTempFile(path: string): void {
  if (live.size === 0) install();
  live.add(path);
}

/** Stop tracking `path` (it was renamed into place or removed). */
export function releaseTempFile(path: string): void {
  live.delete(path);
  if (live.size === 0) uninstall();
}

/** The temporary files currently tracked (for tests). */
export function liveTempFiles(): readonly string[] {
  return [...live];
}
