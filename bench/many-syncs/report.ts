/** The "many Syncs" part of the reconciler section of docs/benchmarks.md, from a run's results. */
import type { RequestCounts } from "../reconcile/processes.js";
import type { Results } from "./run.js";

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();
const list = (o: Readonly<Record<string, number>>): string => Object.entries(o).map(([k, v]) => `${k} ${String(v)}`).join(", ");

function requests(c: RequestCounts): string {
  return `${String(c.requests)} (${list(c.byVerb)}; ${String(c.dryRuns)} dry runs); writes: ${String(c.writes)}, of them **${String(c.managedWrites)} to the managed objects** (${list(c.writesByResource)})`;
}

/** The markdown between the section markers. */
export function markdown(r: Results): string {
  const { cold, restart } = r;
  const objects = r.sizes.sources * r.sizes.syncsPerSource * r.sizes.objects;
  const load = (l: readonly number[]): string => l.join(" / ");
  return [
    "### Many Syncs: a restart over 200 Syncs from 20 sources",
    "",
    `Run: \`npm run bench -- many-syncs\` (needs \`npm run env -- up\`; \`npx tsx bench/many-syncs/run.ts --quick\` for 20 Syncs). Last run ${r.date.slice(0, 16).replace("T", " ")} UTC on ${r.machine}, Node ${r.node}; **load average ${load(r.loadAverage.start)} at the start, ${load(r.loadAverage.end)} at the end** (1/5/15 min; the machine is shared). Raw figures: \`bench/many-syncs/results.json\`.`,
    "",
    `${String(r.sizes.sources)} GitSources over \`file://\`, each a repository of ${String(r.sizes.syncsPerSource)} directories of ${String(r.sizes.objects)} ConfigMaps, and one Sync per directory: **${String(r.syncs)} Syncs, ${String(objects)} objects**, one namespace, intervals 1h (only the start makes them reconcile). \`sigil operator --controllers gitsources,syncs\` (compiled JavaScript, \`${r.nodeFlags.join(" ")}\`) brings them all to Ready, is stopped (SIGTERM) and started again; the restart is timed from the new process's spawn until every Sync has been reconciled by it (every one of its objects diffed or applied, or its status patched: API server audit log) and is Ready. Each controller works on at most **${String(r.concurrency)}** objects at once (the work queue's bound) and jitters every requeue by **±${String(r.requeueJitter * 100)}%** (as Flux's \`--interval-jitter-percentage\` default), so the Syncs reconciled together at a restart do not come due together again. **No peer**: Flux is not in the test environment, so these are absolute figures, not ratios.`,
    "",
    "| Measure | Value |",
    "|---|---|",
    `| Restart → all ${String(r.syncs)} Syncs reconciled and Ready | **${r1(restart.seconds)} s** (the audit log: first Sync reconciled at ${r1(restart.readyTimeline.firstS)} s, median ${r1(restart.readyTimeline.medianS)} s, last ${r1(restart.readyTimeline.lastS)} s) |`,
    `| Operator peak RSS during the restart (VmHWM) | **${r1(restart.peakRssMb)} MB** (${r1(restart.rssMb)} MB when all were Ready) |`,
    `| Operator CPU time, spawn → all Ready | ${r1(restart.cpuSeconds)} CPU-s |`,
    `| Requests of the operator at the API server, spawn → all Ready | ${requests(restart.requests)} |`,
    `| Status patches of Syncs | ${String(restart.statusPatches.total)} for ${String(r.syncs)} Syncs (an unchanged re-sync writes none); ${String(restart.statusPatches.syncsWithMoreThanOne)} Syncs were patched more than once (a flap to "source not ready" before their GitSource's first fetch in the new process) |`,
    `| GitSource fetches | ${String(restart.sourceFetches)} |`,
    `| First start (no status yet) → all Ready, for reference | ${r1(cold.seconds)} s, ${r1(cold.cpuSeconds)} CPU-s, peak RSS ${r1(cold.peakRssMb)} MB |`,
  ].join("\n");
}
