/**
 * The two controllers as processes: the real ESO 0.16.2 and `sigil
 * operator --controllers externalsecrets` compiled to JavaScript (as the
 * package runs), each with its own controller class; their RSS and CPU
 * time read from /proc.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { esoArgs, esoBin } from "../../test/support/eso.js";

/** A controller that can be started again (a restart). */
export interface Side {
  readonly name: "eso" | "sigil";
  start(controllerClass: string): ChildProcess;
}

/** Last lines a process printed (for a failure message). */
export function tail(child: ChildProcess, lines: string[]): void {
  const keep = (d: Buffer): void => {
    lines.push(d.toString());
    if (lines.length > 100) lines.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
}

/** The real ESO controller (no leader election, no metrics, no push reconcilers). */
export function esoSide(kubeconfig: string): Side {
  return {
    name: "eso",
    start: (cls) => spawn(esoBin(), esoArgs(0, { controllerClass: cls, extraArgs: ["--metrics-addr=0", "--loglevel=error"] }), { env: { PATH: process.env["PATH"] ?? "", KUBECONFIG: kubeconfig, HOME: tmpdir() }, stdio: ["ignore", "pipe", "pipe"] }),
  };
}

/** Sigil's operator, compiled (`entry` from bench/reconcile's compileCli). */
export function sigilSide(kubeconfig: string, entry: string): Side {
  return {
    name: "sigil",
    // SIGIL_BENCH_NODE_FLAGS: extra Node flags for a look inside (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
    start: (cls) => spawn(process.execPath, ["--max-semi-space-size=2", ...(process.env["SIGIL_BENCH_NODE_FLAGS"] ?? "").split(" ").filter((f) => f !== ""), entry, "operator", "--kubeconfig", kubeconfig, "--controllers", "externalsecrets", "--external-secrets-controller-class", cls, "--health-addr", "127.0.0.1:0", "--log-level", "error"], { env: { PATH: process.env["PATH"] ?? "", HOME: tmpdir() }, stdio: ["ignore", "pipe", "pipe"] }),
  };
}

/** Resident set size now and at its peak (VmHWM), in MB. */
export function rss(pid: number | undefined): { now: number; peak: number } {
  if (pid === undefined) return { now: 0, peak: 0 };
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { now: Math.round(kb("VmRSS") / 102.4) / 10, peak: Math.round(kb("VmHWM") / 102.4) / 10 };
}

/** User + system CPU seconds of a process so far (its threads included). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

/** SIGTERM, then SIGKILL after 15 s; resolves when it exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}
