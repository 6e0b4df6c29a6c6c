/** Small helpers for side-by-side benchmarks: timing, GNU time for peak RSS, report sections. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export interface ProcessRun {
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly stdoutBytes: number;
}

/** Run a command once under GNU time; fail loudly on a non-zero exit. */
export function timeProcess(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ProcessRun {
  const res = spawnSync("/usr/bin/time", ["-f", "__TIME__ %e %M", cmd, ...args], { env, maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${res.status}): ${res.stderr.toString().slice(-600)}`);
  const line = res.stderr.toString().split("\n").find((l) => l.startsWith("__TIME__"));
  if (line === undefined) throw new Error("GNU time printed nothing (is /usr/bin/time GNU time?)");
  const [, secs, kib] = line.split(" ");
  return { seconds: Number(secs), maxRssMiB: Number(kib) / 1024, stdoutBytes: res.stdout.length };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Run `fn` `n` times and return the median of what it returns. */
export async function medianOf(n: number, fn: () => Promise<number> | number): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return median(out);
}

/** Replace the section between `<!-- name:begin -->` and `<!-- name:end -->` in a markdown file (appending it if absent). */
export function writeReportSection(file: string, name: string, body: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${begin}\n${body.trim()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const i = current.indexOf(begin);
  const j = current.indexOf(end);
  const next = i >= 0 && j > i ? current.slice(0, i) + section + current.slice(j + end.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

export function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}
