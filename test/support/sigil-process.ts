/**
 * Running the real `sigil` binary as a child process, for behaviour that
 * only a process shows: signals, exit statuses, closed or full standard
 * streams, stack traces. The binary is bin/sigil.js under the Node that
 * runs the tests.
 */
import { spawn } from "node:child_process";
import type { ChildProcess, SpawnOptions, StdioOptions } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const SIGIL_BIN = fileURLToPath(new URL("../../bin/sigil.js", import.meta.url));
export const AGE_KEY_FILE = fileURLToPath(new URL("../fixtures/keys/age-1.txt", import.meta.url));

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SigilProcessOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** Text for stdin; default: nothing (stdin at end of input). */
  readonly stdin?: string;
  readonly stdio?: StdioOptions;
  /** Run through `/bin/sh -c` with this redirection appended (e.g. `<&-` closes stdin). */
  readonly shellRedirect?: string;
  /** Run under this command (e.g. `setpriv …`), which then runs Node. */
  readonly prefix?: readonly string[];
}

/** True when the tests run as root (CI does; a developer may not). */
export const RUNNING_AS_ROOT = process.getuid?.() === 0;

/**
 * A command prefix that takes away the privilege to ignore file modes: for
 * root, `setpriv` without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH; any other
 * user has no such privilege to begin with.
 */
export const WITHOUT_DAC_OVERRIDE: readonly string[] = RUNNING_AS_ROOT ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] : [];

/** The environment a test run gets: no user config, the fixture age key. */
export function sigilEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: "/nonexistent-home", SOPS_AGE_KEY_FILE: AGE_KEY_FILE, ...extra };
}

/** Start `sigil <args>`. */
export function spawnSigil(args: readonly string[], options: SigilProcessOptions = {}): ChildProcess {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? sigilEnv(),
    stdio: options.stdio ?? ["pipe", "pipe", "pipe"],
  };
  if (options.shellRedirect !== undefined) {
    const script = `exec "$0" "$@" ${options.shellRedirect}`;
    return spawn("/bin/sh", ["-c", script, process.execPath, SIGIL_BIN, ...args], spawnOptions);
  }
  const argv = [...(options.prefix ?? []), process.execPath, SIGIL_BIN, ...args];
  return spawn(argv[0] ?? process.execPath, argv.slice(1), spawnOptions);
}

/** Collect a started process's output and exit status. */
export function collect(child: ChildProcess, stdin?: string): Promise<ProcessResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (c: Buffer) => out.push(c));
  child.stderr?.on("data", (c: Buffer) => err.push(c));
  child.stdin?.on("error", () => undefined);
  child.stdin?.end(stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

/** Run `sigil <args>` to completion. */
export function runSigil(args: readonly string[], options: SigilProcessOptions = {}): Promise<ProcessResult> {
  return collect(spawnSigil(args, options), options.stdin);
}

/** A fresh temporary directory. */
export function scratchDir(prefix = "sigil-io-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Resolve once `child` has written `text` to stderr (or reject when it exits first). */
export function waitForStderr(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stderr?.on("data", (c: Buffer) => {
      seen += c.toString("utf8");
      if (seen.includes(text)) resolve();
    });
    child.on("close", () => {
      reject(new Error(`exited before writing ${JSON.stringify(text)}; stderr: ${seen}`));
    });
  });
}
