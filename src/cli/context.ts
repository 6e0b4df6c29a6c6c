/**
 * What every CLI command receives: its streams, environment and logger.
 * Commands never touch `process` directly, so tests can run them in-process.
 */
import { Logger, SigilError, parseLogLevel } from "../core/index.js";
import { guardOutput } from "./shared/streams.js";
import type { WriteOptions } from "./shared/write-files.js";

/** A stream the CLI prints to. `flush()`, when present, waits for the writes and reports a write error. */
export interface CliOutput {
  write(chunk: string | Uint8Array): unknown;
  flush?(): Promise<void>;
}

export interface CliIO {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
}

/** Test hook: milliseconds every file write waits before its rename (tests interrupt a write there). */
export const SIGIL_TEST_WRITE_PAUSE_MS_ENV = "SIGIL_TEST_WRITE_PAUSE_MS";

export interface CliContext extends CliIO {
  /** The environment, read once at start-up. Providers never read `process.env` themselves. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly logger: Logger;
  /** How output files are written (test hooks). */
  readonly writeOptions?: Partial<WriteOptions>;
}

/** Build the context for the real process. */
export function processContext(): CliContext {
  const env = { ...process.env };
  return {
    // A getter: touching process.stdin sets up a stream (and loads Node's
    // stream layer), which commands that never read stdin should not pay for.
    get stdin() {
      return process.stdin;
    },
    // Guarded, and opened on the first write only (same reason).
    stdout: guardOutput(() => process.stdout, "stdout"),
    stderr: guardOutput(() => process.stderr, "stderr"),
    env,
    cwd: process.cwd(),
    logger: new Logger({ level: parseLogLevel(env["SIGIL_LOG_LEVEL"] ?? "warn") }),
    writeOptions: { pauseBeforeRenameMs: Number(env[SIGIL_TEST_WRITE_PAUSE_MS_ENV] ?? "0") || 0 },
  };
}

/**
 * Read a stream (stdin) until its end, or until `limit` bytes have arrived
 * (a little more: whole chunks); the caller checks the length.
 * @throws SigilError `input.not_found` (subject "stdin") when it cannot be read (for example a write-only descriptor).
 */
export async function readAtMost(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
      chunks.push(buf);
      total += buf.length;
      if (total >= limit) break;
    }
  } catch (cause) {
    throw new SigilError("input.not_found", "stdin could not be read", { subject: "stdin", cause });
  }
  return Buffer.concat(chunks);
}

/**
 * Read all of a stream (stdin) as bytes.
 * @throws SigilError `input.not_found` as `readAtMost`.
 */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return readAtMost(stream, Infinity);
}
