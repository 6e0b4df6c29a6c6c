/** Running the sigil CLI in-process for the SOPS command tests: captured streams and log lines, a fresh temporary directory. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Logger } from "../../../src/core/index.js";
import { runCli } from "../../../src/cli/index.js";
import type { CliContext } from "../../../src/cli/index.js";
import { AGE_KEY_FILE } from "./helpers.js";

/** What one run printed. */
export interface Run {
  code: number;
  out: string;
  err: string;
  /** JSON log lines written through the context's logger. */
  logs: string[];
}

/** Run `sigil <args>` in `cwd` with the fixture age identity and `env` on top. */
export async function sigil(args: string[], cwd: string, env: Record<string, string> = {}, stdin: string | Buffer = ""): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const input = new PassThrough();
  input.end(stdin);
  const ctx: CliContext = {
    stdin: input,
    stdout: { write: (s: string | Uint8Array) => out.push(Buffer.from(s).toString("latin1")) },
    stderr: { write: (s: string | Uint8Array) => err.push(Buffer.from(s).toString("latin1")) },
    env: { SOPS_AGE_KEY_FILE: AGE_KEY_FILE, HOME: cwd, ...env },
    cwd,
    logger: new Logger({ sink: (line) => logs.push(line) }),
  };
  const code = await runCli(args, ctx);
  return { code, out: out.join(""), err: err.join(""), logs };
}

/** A new empty temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sigil-sops-cli-"));
}
