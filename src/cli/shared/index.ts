/** Helpers shared by the CLI commands: the one file writer, output checks, guarded process streams. */
import type { CliIO, CliOutput } from "../context.js";
export { checkOutputTarget } from "./output-target.js";
export type { OutputTarget } from "./output-target.js";
export { liveTempFiles, registerTempFile, releaseTempFile } from "./temp-files.js";
export { checkOutputFiles, defaultWriteOptions, writeOutputFile, writeOutputFiles } from "./write-files.js";
export type { OutputFile, WriteOptions } from "./write-files.js";
export { guardOutput } from "./streams.js";
export type { GuardedOutput, RawOutputStream } from "./streams.js";

/** Output paths that mean the process's own stdout or stderr: written as a stream, never replaced as a file. */
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
