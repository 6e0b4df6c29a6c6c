/** Shared helpers for the provider unit tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger, redactor, serializeError } from "../../../src/core/index.js";

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix = "sigil-prov-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Capture what the real redacting logger would write for an error. */
export function loggedLines(err: unknown): string[] {
  const lines: string[] = [];
  new Logger({ sink: (l) => lines.push(l), redactor, level: "debug" }).error("operation failed", { err });
  return lines;
}

/**
 * Everything a user or a log could see of an error, unredacted: message,
 * describe(), cause chain, and JSON. The canary must appear in none of it.
 */
export function errorSurface(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let i = 0; i < 8 && current !== undefined && current !== null; i++) {
    if (current instanceof Error) parts.push(String(current), current.message, current.stack ?? "");
    else parts.push(JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  parts.push(JSON.stringify(serializeError(err)));
  return parts.join("\n");
}
