/** Output paths that mean the process's own stdout or stderr: written as a stream, never replaced as a file. */
import type { CliIO, CliOutput } from "../context.js";

const STDOUT_PATHS = new Set(["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]);
const STDERR_PATHS = new Set(["/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"]);

/** True for `-`, `/dev/stdout`, `/dev/stderr` and their `/dev/fd` / `/proc/self/fd` forms. */
export function isStandardStreamPath(path: string): boolean {
  return STDOUT_PATHS.has(path) || STDERR_PATHS.has(path);
}

/** The stream an output path means (`-` or `/dev/stdout`: stdout; `/dev/stderr`: stderr), or undefined for a file. */
export function standardStreamFor(io: Pick<CliIO, "stdout" | "stderr">, path: string): CliOutput | undefined {
  if (STDOUT_PATHS.has(path)) return io.stdout;
  return STDERR_PATHS.has(path) ? io.stderr : undefined;
}
