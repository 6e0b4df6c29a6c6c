/**
 * The reconciler benchmark (issue 10, "Performance"). Needs the test
 * environment with the API server's audit log (`npm run env -- up`).
 *
 *   npm run bench -- reconcile                 # 1,000 objects, 200 SOPS Secrets, 30 drift edits
 *   SIGIL_BENCH_QUICK=1 npm run bench -- reconcile
 *   npx tsx bench/reconcile/run.ts --quick     # 100 objects, 20 Secrets, 5 edits; results to the temp dir only
 *   npx tsx bench/reconcile/run.ts --report    # rewrite the docs section from results.json (no run)
 *   SIGIL_BENCH_CPU_PROF=/tmp/prof …           # also write the operator's CPU profile (node --cpu-prof) there
 *
 * The full run writes bench/reconcile/results.json and the "reconcile"
 * section of docs/benchmarks.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HttpKubeClient } from "../../src/kube/index.js";
import { REPO_ROOT } from "../../test/env/state.js";
import { createNamespace, deleteNamespace, kubeConnection } from "../../test/support/bitnami.js";
import { peerBin, uniqueName } from "../../test/support/peers.js";
import { writeReportSection } from "../lib/measure.js";
import { measureSyncs } from "./first-sync.js";
import type { SyncResults } from "./first-sync.js";
import { measureOperator } from "./operator.js";
import type { OperatorResults } from "./operator.js";
import { compileCli } from "./processes.js";
import { createBenchRepo } from "./repo.js";
import { markdown } from "./report.js";

/** Sizes of a run. */
export interface BenchSizes {
  readonly objects: number;
  readonly secrets: number;
  readonly edits: number;
}

export interface Results {
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly sizes: BenchSizes;
  readonly kinds: Readonly<Record<string, number>>;
  readonly sopsEncryptSeconds: number;
  readonly syncs: SyncResults;
  readonly operator: OperatorResults | { readonly error: string };
}

const FULL: BenchSizes = { objects: 1000, secrets: 200, edits: 30 };
const QUICK: BenchSizes = { objects: 100, secrets: 20, edits: 5 };
/** The young-generation cap the operator is meant to run with (docs/sealed-secrets-controller.md); `SIGIL_BENCH_CPU_PROF=<dir>` also writes the operator's CPU profile there when it stops. */
const PROFILE_DIR = process.env["SIGIL_BENCH_CPU_PROF"];
const OPERATOR_NODE_FLAGS = ["--max-semi-space-size=2", ...(PROFILE_DIR === undefined || PROFILE_DIR === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`])];

const log = (msg: string): void => {
  process.stderr.write(`[bench reconcile] ${msg}\n`);
};
const load = (): number[] => loadavg().map((v) => Math.round(v * 100) / 100);

async function run(sizes: BenchSizes): Promise<Results> {
  const start = load();
  const client = new HttpKubeClient(kubeConnection(), { userAgent: "sigil-bench-harness" });
  const namespaces = [uniqueName("bench-rec-sigil"), uniqueName("bench-rec-ref"), uniqueName("bench-rec-op")];
  log(`generating ${sizes.objects} objects (${sizes.secrets} Secrets encrypted with sops, age) in a Git repository`);
  const repo = await createBenchRepo(peerBin("sops"), sizes.objects, sizes.secrets, uniqueName("bench-reconcile"));
  log(`compiling the CLI (tsc, no type check) to run it as the package does`);
  const cli = compileCli();
  try {
    for (const ns of namespaces) await createNamespace(ns, client);
    const [nsSigil = "", nsRef = "", nsOp = ""] = namespaces;
    const syncs = await measureSyncs(client, repo, cli.entry, nsSigil, nsRef, log);
    let operator: Results["operator"];
    try {
      operator = await measureOperator(client, repo, cli.entry, nsOp, sizes.edits, OPERATOR_NODE_FLAGS, log);
      log(JSON.stringify({ ...operator, drift: { ...operator.drift, latenciesMs: undefined } }));
    } catch (err) {
      operator = { error: err instanceof Error ? err.message : String(err) };
      log(`the controller path failed: ${operator.error}`);
    }
    return {
      date: new Date().toISOString(), machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`, node: process.version,
      loadAverage: { start, end: load() }, sizes: { ...sizes }, kinds: repo.kinds, sopsEncryptSeconds: repo.sopsSeconds, syncs, operator,
    };
  } finally {
    if (process.env["SIGIL_BENCH_KEEP"] !== "1") for (const ns of namespaces) await deleteNamespace(ns, client).catch(() => undefined);
    cli.cleanup();
    repo.cleanup();
    client.close();
  }
}

/** Run the benchmark (for `bench/run.ts`); `quick` uses small numbers and does not touch docs/benchmarks.md. */
export async function runReconcileBench(options: { readonly quick: boolean } = { quick: false }): Promise<void> {
  const sizes = options.quick ? QUICK : FULL;
  const results = await run(sizes);
  const out = options.quick ? join(tmpdir(), "sigil-bench-reconcile-quick.json") : join(REPO_ROOT, "bench", "reconcile", "results.json");
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${out}`);
  const body = markdown(results);
  if (!options.quick) writeReportSection(join(REPO_ROOT, "docs", "benchmarks.md"), "reconcile-bench", body);
  process.stdout.write(`${body}\n`);
}

/** Rewrite the docs section from the stored results (after a change of wording, without a new run). */
function rewriteReport(): void {
  const results = JSON.parse(readFileSync(join(REPO_ROOT, "bench", "reconcile", "results.json"), "utf8")) as Results;
  writeReportSection(join(REPO_ROOT, "docs", "benchmarks.md"), "reconcile-bench", markdown(results));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--report")) rewriteReport();
  else await runReconcileBench({ quick: process.argv.includes("--quick") });
}
