/**
 * What importing a Kubernetes client costs a process: `@kubernetes/client-node`
 * (the version installed) against Sigil's own `src/kube` (compiled), on the
 * running Node. Each import runs in a fresh process, N times; the figures are
 * medians of the resident set size after the import (and its growth over an
 * empty process) and of the time the import takes.
 *
 *   npm run -s bench -- kube-import            (or: npx tsx bench/kube/import-cost.ts)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { median, writeReportSection } from "../lib/measure.js";

const RUNS = 7;
const ROOT = join(import.meta.dirname, "..", "..");

interface Sample {
  readonly rssMiB: number;
  readonly importMs: number;
}

function sample(specifier: string | undefined): Sample {
  const body = specifier === undefined ? "" : `await import(${JSON.stringify(specifier)});`;
  const script = `const t = performance.now(); ${body} const ms = performance.now() - t; globalThis.gc?.(); process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, ms }));`;
  const res = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`import of ${specifier ?? "nothing"} failed: ${res.stderr.slice(-400)}`);
  const out = JSON.parse(res.stdout) as { rss: number; ms: number };
  return { rssMiB: out.rss / 1024 / 1024, importMs: out.ms };
}

function medians(specifier: string | undefined): Sample {
  const runs = Array.from({ length: RUNS }, () => sample(specifier));
  return { rssMiB: median(runs.map((r) => r.rssMiB)), importMs: median(runs.map((r) => r.importMs)) };
}

function compileKube(): string {
  // Inside node_modules, so that the compiled files resolve their dependencies.
  mkdirSync(join(ROOT, "node_modules", ".cache"), { recursive: true });
  const out = mkdtempSync(join(ROOT, "node_modules", ".cache", "sigil-kube-bench-"));
  const res = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json"), "--outDir", out, "--declaration", "false", "--sourceMap", "false"], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`tsc failed: ${res.stdout.slice(-600)}`);
  return out;
}

const version = (JSON.parse(readFileSync(join(ROOT, "node_modules", "@kubernetes", "client-node", "package.json"), "utf8")) as { version: string }).version;
const dist = compileKube();
try {
  const empty = medians(undefined);
  const clientNode = medians("@kubernetes/client-node");
  const ours = medians(pathToFileURL(join(dist, "kube", "index.js")).href);
  const row = (name: string, s: Sample): string => `| ${name} | ${s.rssMiB.toFixed(1)} | +${(s.rssMiB - empty.rssMiB).toFixed(1)} | ${s.importMs.toFixed(0)} |`;
  const report = [
    `### Importing a Kubernetes client (Node ${process.version}, median of ${RUNS} fresh processes)`,
    "",
    "`npx tsx bench/kube/import-cost.ts`",
    "",
    "| import | RSS after (MiB) | over an empty process (MiB) | import time (ms) |",
    "|---|---|---|---|",
    row("nothing", empty),
    row(`@kubernetes/client-node ${version}`, clientNode),
    row("sigil src/kube (compiled)", ours),
  ].join("\n");
  process.stdout.write(`${report}\n`);
  if (process.argv.includes("--write")) writeReportSection(join(ROOT, "docs", "benchmarks.md"), "kube-import", report);
} finally {
  rmSync(dist, { recursive: true, force: true });
}
