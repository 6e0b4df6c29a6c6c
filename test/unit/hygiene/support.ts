/**
 * Canary helpers for the secrets-hygiene audit: distinctive plaintexts, the
 * forms in which one could leak (raw, base64, hex, JSON-escaped, or a
 * truncated quote), and an in-process `sigil` run that captures everything
 * a command could print: its stdout and stderr, every JSON log line at
 * debug level, and anything written to the real process streams or the
 * console behind the context's back.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, vi } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { runCli } from "../../../src/cli/index.js";
import type { CliContext } from "../../../src/cli/index.js";

export { canary, digitCanary, expectNoLeak, leakForms } from "../../support/canary.js";
export type { Canary } from "../../support/canary.js";

/** What one in-process run printed, by channel. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every JSON log line (debug level and up). */
  readonly logs: string;
  /** Anything written to the real process.stdout/stderr or the console during the run (should be nothing). */
  readonly stray: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string | Buffer;
}

function text(chunk: unknown): string {
  return typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
}

/** Spy on the real process streams and console; returns what they received and a restore function. */
function captureStray(): { output: string[]; restore: () => void } {
  const output: string[] = [];
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => (output.push(text(chunk)), true)),
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => (output.push(text(chunk)), true)),
    ...(["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(" ")))),
  ];
  return {
    output,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** Run `sigil <args>` in-process with a debug-level JSON logger and nothing from the real environment. */
export async function runSigil(args: readonly string[], options: RunOptions): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? "");
  const ctx: CliContext = {
    stdin,
    stdout: { write: (s: string | Uint8Array) => out.push(text(s)) },
    stderr: { write: (s: string | Uint8Array) => err.push(text(s)) },
    env: { HOME: options.cwd, PATH: "/nonexistent", ...options.env },
    cwd: options.cwd,
    logger: new Logger({ level: "debug", sink: (line) => logs.push(line) }),
  };
  const stray = captureStray();
  let code: number;
  try {
    code = await runCli(args, ctx);
  } finally {
    stray.restore();
  }
  return { code, stdout: out.join(""), stderr: err.join(""), logs: logs.join("\n"), stray: stray.output.join("") };
}

/** The channels of a run that must never hold plaintext (stdout is added when the command is not meant to print it). */
export function channels(run: Run, withStdout = true): Record<string, string> {
  const all: Record<string, string> = { stderr: run.stderr, logs: run.logs, stray: run.stray };
  if (withStdout) all["stdout"] = run.stdout;
  return all;
}

const created: string[] = [];

// The directories hold canary plaintexts: remove them when the test file is done.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = "sigil-hygiene-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Every file under `dir` (recursively) with its content, for "nothing else was written" checks. */
export function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out[name] = readFileSync(path, "latin1");
  }
  return out;
}

/** The permission bits of a file. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Absolute path of a file under test/fixtures. */
export function fixturePath(relative: string): string {
  return new URL(`../../fixtures/${relative}`, import.meta.url).pathname;
}
