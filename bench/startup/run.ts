/**
 * Start-up benchmark: what one call of the CLI costs, side by side with sops
 * in one run, whole processes, as tools that call sops once per file run it.
 *   bare `node -e 0` · `sigil --version` · `sigil --help`
 *   `sigil decrypt` vs `sops -d` of the same small age-encrypted Secret
 *   (and, for reference, decrypt with Node's compile cache off, and the
 *   development form: bin/sigil.js in a checkout, through tsx)
 * Sigil runs as installed: the tarball `npm pack` makes, unpacked, with the
 * checkout's node_modules as its dependencies, started through bin/sigil.js's
 * `#!/usr/bin/env node` with this Node first on PATH.
 *
 * Run: npm run bench -- startup   (SIGIL_BENCH_RUNS, default 21; needs only the sops peer binary)
 * Writes bench/startup/results.json and the "startup" section of docs/benchmarks.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { which } from "../../test/env/tools.js";
import { fmt, writeReportSection } from "../lib/measure.js";
import { secretManifest } from "../sops/setup.js";
import { measureCases } from "./measure.js";
import type { Case, CaseResult } from "./measure.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const log = (line: string): void => {
  process.stderr.write(`[bench startup] ${line}\n`);
};

/** Build the bundle, pack it as `npm pack` does, and unpack it: the installed form. */
function installPacked(dir: string): string {
  execFileSync("npm", ["run", "-s", "build:cli"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" })) as [{ filename: string }];
  execFileSync("tar", ["xzf", join(dir, packed[0].filename), "-C", dir]);
  const pkg = join(dir, "package");
  symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
  return pkg;
}

interface Setup {
  readonly sigil: string;
  readonly sops: string;
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
  readonly plaintext: string;
}

async function setUp(dir: string): Promise<Setup> {
  const sops = await which("sops");
  const sigil = join(installPacked(dir), "bin", "sigil.js");
  const compileCache = join(dir, "compile-cache");
  mkdirSync(compileCache);
  const env: NodeJS.ProcessEnv = {
    PATH: `${dirname(process.execPath)}${delimiter}${process.env["PATH"] ?? ""}`,
    HOME: dir,
    NODE_COMPILE_CACHE: compileCache,
    SOPS_DISABLE_VERSION_CHECK: "1",
    SOPS_AGE_KEY_FILE: join(dir, "keys.txt"),
  };
  execFileSync(sigil, ["keygen", "age", "-o", join(dir, "keys.txt")], { env, stdio: "ignore" });
  const recipient = execFileSync(sigil, ["keygen", "age", "-y", join(dir, "keys.txt")], { env, encoding: "utf8" }).trim();
  const plain = join(dir, "secret.yaml");
  writeFileSync(plain, secretManifest(1));
  const file = join(dir, "secret.sops.yaml");
  writeFileSync(file, execFileSync(sops, ["encrypt", "--age", recipient, "--encrypted-regex", "^(data|stringData)$", plain], { env }));
  const plaintext = execFileSync(sops, ["-d", file], { env, encoding: "utf8" });
  return { sigil, sops, file, env, plaintext };
}

function cases(s: Setup, version: string): Case[] {
  const is = (want: string) => (out: string): boolean => out === want;
  return [
    { name: "node -e 0", cmd: process.execPath, args: ["-e", "0"], env: s.env },
    { name: "sigil --version", cmd: s.sigil, args: ["--version"], env: s.env, expect: is(`${version}\n`) },
    { name: "sigil --help", cmd: s.sigil, args: ["--help"], env: s.env, expect: (o) => o.includes("decrypt [options] [file]") },
    { name: "sigil decrypt", cmd: s.sigil, args: ["decrypt", s.file], env: s.env, expect: is(s.plaintext) },
    { name: "sops -d", cmd: s.sops, args: ["-d", s.file], env: s.env, expect: is(s.plaintext) },
    { name: "sigil decrypt, compile cache off", cmd: s.sigil, args: ["decrypt", s.file], env: { ...s.env, NODE_DISABLE_COMPILE_CACHE: "1" }, expect: is(s.plaintext) },
    { name: "sigil --version, checkout (tsx)", cmd: join(ROOT, "bin", "sigil.js"), args: ["--version"], env: s.env, expect: is(`${version}\n`), runs: 5 },
  ];
}

function row(r: CaseResult, ratio: string): string {
  return `| ${r.name} | ${fmt(r.medianMs, 0)} ms | ${fmt(r.p90Ms, 0)} ms | ${fmt(r.medianCpuMs, 0)} ms | ${fmt(r.medianPeakRssMiB, 0)} MiB | ${ratio} |`;
}

function report(results: readonly CaseResult[], meta: { date: string; runs: number; load: [number, number] }): string[] {
  const by = (name: string): CaseResult => results.find((r) => r.name === name) ?? (() => { throw new Error(`no result for ${name}`); })();
  const node = by("node -e 0");
  const sops = by("sops -d");
  const vs = (r: CaseResult, base: CaseResult, what: string): string => `${fmt(r.medianMs / base.medianMs)}× ${what}`;
  const version = by("sigil --version");
  const decrypt = by("sigil decrypt");
  const verdict = (ok: boolean): string => (ok ? "met" : "**not met**");
  return [
    "## Start-up (issue 7)",
    "",
    `Measured ${meta.date.slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, sops 3.13.2 built from its Go module; the machine is shared with other work (load average ${fmt(meta.load[0], 1)} at the start, ${fmt(meta.load[1], 1)} at the end). Whole processes, ${meta.runs} runs of each, taken round-robin so that load changes fall on every row alike; wall time measured by the parent around a direct run with the output to /dev/null (as hyperfine -N does), CPU time and peak RSS by GNU time around a second run (10 ms resolution for CPU). Sigil runs as installed from \`npm pack\` (bin/sigil.js → dist/bundle; Node's module compile cache, and Sigil's code cache of its one-command bundles, on; both off in the "compile cache off" row). Reproduce with \`npm run bench -- startup\` (needs only the sops peer binary); raw samples in \`bench/startup/results.json\`.`,
    "",
    "| | wall, median | wall, p90 | CPU (user+sys), median | peak RSS, median | ratio (wall medians) |",
    "|---|---|---|---|---|---|",
    row(node, "1.00"),
    row(version, `**${vs(version, node, "node")}** (target ≤ 1.3×: ${verdict(version.medianMs <= 1.3 * node.medianMs)})`),
    row(by("sigil --help"), vs(by("sigil --help"), node, "node")),
    row(sops, "1.00"),
    row(decrypt, `**${vs(decrypt, sops, "sops")}**, ${vs(decrypt, node, "node")} (target < 100 ms: ${verdict(decrypt.medianMs < 100)})`),
    row(by("sigil decrypt, compile cache off"), vs(by("sigil decrypt, compile cache off"), decrypt, "the cached run")),
    row(by("sigil --version, checkout (tsx)"), `${vs(by("sigil --version, checkout (tsx)"), node, "node")} (development form, ${by("sigil --version, checkout (tsx)").runs} runs)`),
    "",
  ];
}

export async function runStartupBench(runs = Number(process.env["SIGIL_BENCH_RUNS"] ?? "21")): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-startup-"));
  try {
    const start = loadavg()[0] ?? 0;
    const setup = await setUp(dir);
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    log(`${runs} rounds of ${cases(setup, version).length} cases`);
    const results = measureCases(cases(setup, version), runs, 3, log);
    const meta = { date: new Date().toISOString(), runs, load: [start, loadavg()[0] ?? 0] as [number, number] };
    const json = { ...meta, machine: `${cpus().length} x ${cpus()[0]?.model ?? "unknown"}`, node: process.version, results };
    writeFileSync(join(ROOT, "bench", "startup", "results.json"), JSON.stringify(json, null, 2) + "\n");
    const lines = report(results, meta);
    writeReportSection(join(ROOT, "docs", "benchmarks.md"), "startup", lines.join("\n"));
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
