/** Running the sealed-secrets CLI commands in-process for tests. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Logger } from "../../../src/core/index.js";
import { runCli } from "../../../src/cli/index.js";
import type { CliContext, CommandModule } from "../../../src/cli/index.js";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly logs: readonly string[];
}

/** Run `sigil <argv>` with `stdin` and `env`; nothing from the real process leaks in. */
export async function sigil(
  argv: readonly string[],
  options: { stdin?: string | Buffer; env?: Record<string, string>; commands?: readonly CommandModule[]; cwd?: string } = {},
): Promise<RunResult> {
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? "");
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const ctx: CliContext = {
    stdin,
    stdout: { write: (s: string | Uint8Array) => out.push(typeof s === "string" ? s : Buffer.from(s).toString()) },
    stderr: { write: (s: string | Uint8Array) => err.push(typeof s === "string" ? s : Buffer.from(s).toString()) },
    env: { HOME: "/nonexistent-home", ...options.env },
    cwd: options.cwd ?? process.cwd(),
    logger: new Logger({ level: "debug", sink: (line) => logs.push(line) }),
  };
  const code = await runCli(argv, ctx, options.commands);
  return { code, stdout: out.join(""), stderr: err.join(""), logs };
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sigil-sealed-"));
}
