/**
 * The package version, and `sigil --version` answered before anything else
 * is loaded: scripts call it to probe for Sigil, and it should cost little
 * more than starting Node (docs/benchmarks.md, start-up). This module
 * imports nothing of Sigil's.
 */
import { readFileSync, writeSync } from "node:fs";

/** The flags that print the version, as the program declares them. */
export const VERSION_FLAGS: readonly string[] = ["-v", "--version"];

/** The package version, read from package.json. */
export function sigilVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * When the command line is only a version flag, print the version to `fd`
 * and return true. Returns false for any other command line, and when the
 * write fails (a full disk, a closed pipe, a non-blocking descriptor): the
 * caller then runs the whole program, whose guarded output reports the
 * failure with its code, as for any other command.
 */
export function printedVersion(argv: readonly string[], fd = 1): boolean {
  if (argv.length !== 1 || !VERSION_FLAGS.includes(argv[0] ?? "")) return false;
  const line = Buffer.from(`${sigilVersion()}\n`);
  try {
    return writeSync(fd, line) === line.length;
  } catch {
    return false;
  }
}
