/**
 * Canary helpers for the secrets-hygiene audit: distinctive plaintexts, the
 * forms in which one could leak (raw, base64, hex, JSON-escaped, or a
 * truncated quote), and an in-process `sigil` run that captures everything
 * a command could print: its stdout and stderr, every JSON log line at
 * debug level, and anything written to the real process streams or the
 * console behind the context's back.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, expect, vi } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { runCli } from "../../../src/cli/index.js";
import type { CliContext } from "../../../src/cli/index.js";

/** A plaintext nobody else would print, and the forms of it that must never appear. */
export interface Canary {
  readonly value: string;
  /** Random parts of the value: a quote of any 8 characters of one is a leak even when the whole value is not printed. */
  readonly cores: readonly string[];
}

/**
 * `k<12 hex>-<label>-<12 hex><suffix>`: random at both ends (the `k` keeps
 * it from reading as a number), so a parser error
 * quoting the first or last few characters is caught too; `suffix` adds
 * awkward characters (quotes, newlines, unicode).
 */
export function canary(label = "canary", suffix = ""): Canary {
  const head = randomBytes(6).toString("hex");
  const tail = randomBytes(6).toString("hex");
  return { value: `k${head}-${label}-${tail}${suffix}`, cores: [head, tail] };
}

/** A canary of `length` decimal digits (for values that must parse as numbers), starting with `prefix`. */
export function digitCanary(length = 24, prefix = "9"): Canary {
  let digits = "";
  while (digits.length < length) digits += randomBytes(8).readBigUInt64BE().toString().slice(1);
  const value = `${prefix}${digits.slice(0, length - prefix.length)}`;
  return { value, cores: [value.slice(prefix.length)] };
}

const WINDOW = 8;

/** Every form of `c` whose presence in output is a leak. */
export function leakForms(c: Canary): string[] {
  const forms = [
    c.value,
    Buffer.from(c.value, "utf8").toString("base64"),
    Buffer.from(c.value, "utf8").toString("hex"),
    JSON.stringify(c.value).slice(1, -1),
  ];
  for (const core of c.cores) for (let i = 0; i + WINDOW <= core.length; i++) forms.push(core.slice(i, i + WINDOW));
  return [...new Set(forms)];
}

/** Assert that no form of any canary appears in any of the named texts. */
export function expectNoLeak(texts: Readonly<Record<string, string>>, ...canaries: Canary[]): void {
  for (const c of canaries) {
    for (const form of leakForms(c)) {
      for (const [where, text] of Object.entries(texts)) {
        expect(text.includes(form), `${where} contains a form of the canary (${JSON.stringify(form.slice(0, 16))}…):\n${text.slice(0, 2000)}`).toBe(false);
      }
    }
  }
}

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
