/**
 * Many Syncs (issue 11, "Performance"): 20 GitSources over `file://`, each a
 * small repository of 10 directories of 5 ConfigMaps, and one Sync per
 * directory: 200 Syncs, 1,000 objects, one namespace. The operator
 * (`sigil operator --controllers gitsources,syncs`, compiled JavaScript, as
 * in bench/reconcile) starts and brings every Sync to Ready; then it is
 * stopped and started again, and from the new process's spawn the bench
 * measures the time until every Sync has been reconciled by it (its objects
 * diffed or its status patched, in the API server's audit log) and is
 * Ready, the process's peak RSS
 * (VmHWM) and CPU time, and its requests at the API server. There is no peer
 * to compare with: Flux is not in the environment; the figures are absolute.
 *
 *   npm run bench -- many-syncs                 # writes bench/many-syncs/results.json and the docs section
 *   npx tsx bench/many-syncs/run.ts --quick     # 4 sources x 5 Syncs x 5 objects; results to the temp dir only
 *   npx tsx bench/many-syncs/run.ts --report    # rewrite the docs section from results.json (no run)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HttpKubeClient } from "../../src/kube/index.js";
import { REPO_ROOT } from "../../test/env/state.js";
import { createNamespace, deleteNamespace, kubeConnection } from "../../test/support/bitnami.js";
import { uniqueName } from "../../test/support/peers.js";
import { writeReportSection } from "../lib/measure.js";
import { compileCli } from "../reconcile/processes.js";
import { measureRestart } from "./measure.js";
import type { RunResults } from "./measure.js";
import { markdown } from "./report.js";
import { createRepos, createSyncs, ownersOf, releaseSyncs } from "./setup.js";
import type { ManySizes } from "./setup.js";

/** What one run wrote to results.json. */
export interface Results extends RunResults {
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly sizes: ManySizes;
  readonly syncs: number;
}

const FULL: ManySizes = { sources: 20, syncsPerSource: 10, objects: 5 };
const QUICK: ManySizes = { sources: 4, syncsPerSource: 5, objects: 5 };
/** The young-generation cap the operator is meant to run with, as in bench/reconcile. */
const NODE_FLAGS = ["--max-semi-space-size=2"];

const log = (msg: string): void => {
  process.stderr.write(`[bench many-syncs] ${msg}\n`);
};
const load = (): number[] => loadavg().map((v) => Math.round(v * 100) / 100);

async function run(sizes: ManySizes): Promise<Results> {
  const start = load();
  const client = new HttpKubeClient(kubeConnection(), { userAgent: "sigil-bench-harness" });
  const ns = uniqueName("bench-many");
  log(`${sizes.sources} repositories of ${sizes.syncsPerSource} x ${sizes.objects} ConfigMaps`);
  const repos = createRepos(sizes, ns);
  const cli = compileCli();
  try {
    await createNamespace(ns, client);
    const syncs = await createSyncs(client, repos.repos, sizes, ns);
    log(`${syncs} Syncs created in ${ns}`);
    const measured = await measureRestart({ client, cli: cli.entry, ns, syncs, owners: ownersOf(sizes), nodeFlags: NODE_FLAGS, log });
    return {
      date: new Date().toISOString(), machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`, node: process.version,
      loadAverage: { start, end: load() }, sizes: { ...sizes }, syncs, ...measured,
    };
  } finally {
    if (process.env["SIGIL_BENCH_KEEP"] !== "1") {
      await releaseSyncs(client, ns).catch(() => undefined);
      await deleteNamespace(ns, client).catch(() => undefined);
    }
    cli.cleanup();
    repos.cleanup();
    client.close();
  }
}

/** Run the benchmark (for `bench/run.ts`); `quick` uses small numbers and does not touch docs/benchmarks.md. */
export async function runManySyncsBench(options: { readonly quick: boolean } = { quick: false }): Promise<void> {
  const results = await run(options.quick ? QUICK : FULL);
  const out = options.quick ? join(tmpdir(), "sigil-bench-many-syncs-quick.json") : join(REPO_ROOT, "bench", "many-syncs", "results.json");
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${out}`);
  const body = markdown(results);
  if (!options.quick) writeReportSection(join(REPO_ROOT, "docs", "benchmarks.md"), "many-syncs-bench", body);
  process.stdout.write(`${body}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--report")) {
    const results = JSON.parse(readFileSync(join(REPO_ROOT, "bench", "many-syncs", "results.json"), "utf8")) as Results;
    writeReportSection(join(REPO_ROOT, "docs", "benchmarks.md"), "many-syncs-bench", markdown(results));
  } else await runManySyncsBench({ quick: process.argv.includes("--quick") });
}
