/**
 * What every CLI command receives: its streams, environment and logger.
 * Commands never touch `process` directly, so tests can run them in-process.
 */
import { Logger, parseLogLevel } from "../core/index.js";

export interface CliIO {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  readonly stderr: { write(chunk: string | Uint8Array): unknown };
}

export interface CliContext extends CliIO {
  /** The environment, read once at start-up. Providers never read `process.env` themselves. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly logger: Logger;
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
    stdout: process.stdout,
    stderr: process.stderr,
    env,
    cwd: process.cwd(),
    logger: new Logger({ level: parseLogLevel(env["SIGIL_LOG_LEVEL"] ?? "warn") }),
  };
}

/** Read a stream up to `limit` bytes (a little more: whole chunks); the caller checks the length. */
export async function readAtMost(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    chunks.push(buf);
    total += buf.length;
    if (total >= limit) break;
  }
  return Buffer.concat(chunks);
}

/** Read all of stdin as bytes. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
