/** Whole-process timings for the start-up benchmark: wall time in this process, peak RSS from GNU time. */
import { spawnSync } from "node:child_process";

/** One command line to time, and what it must print. */
export interface Case {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Check the first run's output (a fast wrong answer must not count). */
  readonly expect?: (stdout: string) => boolean;
  /** Fewer runs for very slow cases (default: all). */
  readonly runs?: number;
}

/** What one case measured. */
export interface CaseResult {
  readonly name: string;
  readonly command: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly minMs: number;
  readonly medianPeakRssMiB: number;
  /** User + system CPU time: less sensitive than wall time to other work on a shared machine. */
  readonly medianCpuMs: number;
  readonly samplesMs: number[];
}

interface Sample {
  readonly ms: number;
  readonly cpuMs: number;
  readonly rssMiB: number;
  readonly stdout: string;
}

/**
 * Run once: timed directly (output to /dev/null, as hyperfine does, so that
 * neither a wrapper process nor reading pipes is in the wall time), then
 * again under GNU time for CPU time and peak RSS (the same small overhead
 * for every case); fail loudly on a non-zero exit. `capture` keeps the
 * output of the second run, to check it.
 */
function runOnce(c: Case, capture = false): Sample {
  const t = process.hrtime.bigint();
  const direct = spawnSync(c.cmd, c.args, { env: c.env, stdio: "ignore" });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (direct.status !== 0) throw new Error(`${c.name}: ${c.cmd} ${c.args.join(" ")} exited ${String(direct.status)}`);
  const res = spawnSync("/usr/bin/time", ["-f", "__TIME__ %M %U %S", c.cmd, ...c.args], { env: c.env, encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", capture ? "pipe" : "ignore", "pipe"] });
  if (res.status !== 0) throw new Error(`${c.name}: ${c.cmd} ${c.args.join(" ")} exited ${String(res.status)}: ${res.stderr.slice(-600)}`);
  const line = res.stderr.split("\n").find((l) => l.startsWith("__TIME__"));
  if (line === undefined) throw new Error("GNU time printed nothing (is /usr/bin/time GNU time?)");
  const [, kib, user, sys] = line.split(" ");
  // null when the output was not captured
  const stdout = res.stdout as string | null;
  return { ms, cpuMs: (Number(user) + Number(sys)) * 1000, rssMiB: Number(kib) / 1024, stdout: stdout ?? "" };
}

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
}

/**
 * Time every case `runs` times, round-robin (case 1, case 2, …, then again),
 * so that a change in the machine's load during the run falls on all cases
 * alike; `warmup` untimed rounds first (they also fill Node's compile cache).
 */
export function measureCases(cases: readonly Case[], runs: number, warmup: number, log: (line: string) => void): CaseResult[] {
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
  for (const c of cases) {
    const first = runOnce(c, true);
    if (c.expect !== undefined && !c.expect(first.stdout)) throw new Error(`${c.name}: unexpected output: ${first.stdout.slice(0, 300)}`);
  }
  for (let w = 1; w < warmup; w++) for (const c of cases) runOnce(c);
  for (let r = 0; r < runs; r++) {
    for (const c of cases) if (r < (c.runs ?? runs)) samples.get(c.name)?.push(runOnce(c));
    if ((r + 1) % 5 === 0) log(`round ${r + 1}/${runs}`);
  }
  return cases.map((c) => {
    const s = samples.get(c.name) ?? [];
    const ms = s.map((x) => x.ms);
    return {
      name: c.name,
      command: [c.cmd, ...c.args].join(" "),
      runs: s.length,
      medianMs: quantile(ms, 0.5),
      p90Ms: quantile(ms, 0.9),
      minMs: Math.min(...ms),
      medianPeakRssMiB: quantile(s.map((x) => x.rssMiB), 0.5),
      medianCpuMs: quantile(s.map((x) => x.cpuMs), 0.5),
      samplesMs: ms.map((x) => Math.round(x * 10) / 10),
    };
  });
}
