/** The "reconcile" section of docs/benchmarks.md, from a run's results. */
import type { Side } from "./first-sync.js";
import type { OperatorResults } from "./operator.js";
import type { RequestCounts } from "./processes.js";
import type { Results } from "./run.js";

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();
const r2 = (n: number): string => n.toFixed(2);
const ratio = (a: number, b: number): string => (b === 0 ? "–" : `**${(a / b).toFixed(2)}x**`);
const verdict = (ok: boolean): string => (ok ? "met" : "**not met**");

function sideCell(s: Side): string {
  return `${r1(s.wallSeconds)} s wall, ${r1(s.cpuSeconds)} CPU-s, ${s.requests.requests} requests (${s.requests.writes} writes)`;
}

function writesList(c: RequestCounts): string {
  const entries = Object.entries(c.writesByResource);
  return entries.length === 0 ? "none" : entries.map(([k, v]) => `${k}: ${v}`).join(", ");
}

function syncRows(r: Results): string[] {
  const { first, resync } = r.syncs;
  const n = r.sizes.objects;
  return [
    `| First sync of ${n} objects (${r.sizes.secrets} SOPS Secrets), wall time | ${sideCell(first.sigil)} | ${sideCell(first.reference)} | ${ratio(first.sigil.wallSeconds, first.reference.wallSeconds)} (target ≤ 1.0: ${verdict(first.sigil.wallSeconds <= first.reference.wallSeconds)}) |`,
    `| First sync, CPU time of the client processes | ${r1(first.sigil.cpuSeconds)} CPU-s | ${r1(first.reference.cpuSeconds)} CPU-s | ${ratio(first.sigil.cpuSeconds, first.reference.cpuSeconds)} |`,
    `| First sync, requests at the API server | ${first.sigil.requests.requests} (${first.sigil.requests.writes} writes) | ${first.reference.requests.requests} (${first.reference.requests.writes} writes) | ${ratio(first.sigil.requests.requests, first.reference.requests.requests)} |`,
    `| Re-sync of the unchanged revision by \`sigil sync --once\`, wall time (a new process each) | ${r2(resync.sigil.wallSeconds)} s (${r2(resync.sigil.cpuSeconds)} CPU-s) | ${r2(resync.reference.wallSeconds)} s (${r2(resync.reference.cpuSeconds)} CPU-s) | ${ratio(resync.sigil.wallSeconds, resync.reference.wallSeconds)} (a new process has no memory of the last sync and dry-runs every object; the < 1 s target is the controller's re-sync, below) |`,
    `| Re-sync, write requests at the API server | **${resync.sigil.requests.managedWrites}** to the managed objects; ${resync.sigil.requests.writes} in all (${writesList(resync.sigil.requests)}) of ${resync.sigil.requests.requests} requests (${verbs(resync.sigil.requests)}) | ${resync.reference.requests.writes} (${writesList(resync.reference.requests)}) of ${resync.reference.requests.requests} | target 0: ${verdict(resync.sigil.requests.writes === 0)} |`,
  ];
}

function operatorRows(r: Results): string[] {
  const o = r.operator;
  if ("error" in o) return [`| Controller path (\`sigil operator --controllers gitsources,syncs\`) | failed: ${o.error.split("\n")[0] ?? ""} | – | – |`];
  const n = r.sizes.objects;
  const flags = o.nodeFlags.join(" ");
  return [
    `| First sync through the controller (operator start → Sync Ready) | ${r1(o.firstSyncSeconds)} s, ${r1(o.firstSyncCpuSeconds)} CPU-s | – | – |`,
    `| Re-sync through the controller (requestedAt → status handled) | ${r2(o.resyncSeconds)} s${o.resyncCpuSeconds === undefined ? "" : ` (operator ${r2(o.resyncCpuSeconds)} CPU-s)`}; ${o.resyncRequests.requests} requests (${verbs(o.resyncRequests)}); **${o.resyncRequests.managedWrites} writes to the managed objects**, ${o.resyncRequests.writes} in all (${writesList(o.resyncRequests)}: the acknowledgment of requestedAt in status) | target < 1 s, 0 writes to the objects | ${verdict(o.resyncSeconds < 1)} / ${verdict(o.resyncRequests.managedWrites === 0)} |`,
    ...repeatRow(o),
    ...quietRow(o),
    `| Drift: edit of a managed Secret → reverted (${o.drift.edits} edits, from sending the edit to reading the reverted value, polled every 5 ms) | p50 **${Math.round(o.drift.p50Ms)} ms**, p99 ${Math.round(o.drift.p99Ms)} ms, max ${Math.round(o.drift.maxMs)} ms; per edit: ${r1(o.drift.requests.requests / Math.max(1, o.drift.edits))} requests by the operator, of them ${r1(o.drift.requests.managedWrites / Math.max(1, o.drift.edits))} write to the managed objects (p99 of ${o.drift.edits} edits is their maximum) | target p50 < 500 ms | ${verdict(o.drift.p50Ms < 500)} |`,
    `| Operator RSS with ${n} managed objects (compiled JS, \`${flags}\`) | **${r1(o.rss.afterDriftMb)} MB** after the drift edits (${r1(o.rss.afterSyncMb)} MB after the first sync; peak ${r1(o.rss.peakMb)} MB) | target < 200 MB | ${(o.rss.peakMb / 200).toFixed(2)} of the budget (peak) |`,
  ];
}

function repeatRow(o: OperatorResults): string[] {
  const r = o.resyncRepeats;
  if (r === undefined || r.seconds.length === 0) return [];
  const worst = Math.max(...r.seconds);
  return [`| ${r.seconds.length} more re-syncs through the controller, one after the other (requestedAt → status handled) | ${r.seconds.map(r2).join(", ")} s${r.cpuSeconds === undefined ? "" : ` (operator ${r2(r.cpuSeconds)} CPU-s for all ${r.seconds.length})`}; ${r.requests.requests} requests in all (${verbs(r.requests)}); **${r.requests.managedWrites} writes to the managed objects**, ${r.requests.writes} in all (${writesList(r.requests)}) | target < 1 s, 0 writes to the objects | ${verdict(worst < 1)} / ${verdict(r.requests.managedWrites === 0)} |`];
}

function quietRow(o: OperatorResults): string[] {
  if (!("quiet" in o)) return [];
  const q = o.quiet;
  return [`| Interval re-syncs of the unchanged revision through the controller (${q.reconciles} in a ${q.seconds} s window, interval ${q.interval}) | ${q.requests.requests} requests (${verbs(q.requests)}); **${q.requests.writes} writes** (${writesList(q.requests)}) | target 0 writes | ${verdict(q.requests.writes === 0 && q.reconciles > 0)} |`];
}

function verbs(c: RequestCounts): string {
  return `${Object.entries(c.byVerb).map(([k, v]) => `${k} ${v}`).join(", ")}; ${c.dryRuns} of them dry-runs`;
}

/** The markdown body of the section. */
export function markdown(r: Results): string {
  const la = (v: readonly number[]): string => v.map((x) => x.toFixed(1)).join(" / ");
  return [
    `Run: \`npm run bench -- reconcile\` (needs \`npm run env -- up\` with the API server's audit log; a few minutes; \`SIGIL_BENCH_QUICK=1\` or \`npx tsx bench/reconcile/run.ts --quick\` for 100 objects). Last run ${r.date.slice(0, 16).replace("T", " ")} UTC on ${r.machine}, Node ${r.node}; **load average ${la(r.loadAverage.start)} at the start, ${la(r.loadAverage.end)} at the end** (1/5/15 min, a machine shared with other work: wall times are noisy, CPU time and request counts are not). Raw figures: \`bench/reconcile/results.json\`.`,
    "",
    `The repository: ${Object.entries(r.kinds).map(([k, v]) => `${v} ${k}s`).join(", ")} (Services headless, Deployments with 0 replicas), one per file, in a local Git repository served over \`file://\`; the Secrets encrypted by sops (age) with \`--encrypted-regex '^(data|stringData)$'\`. Sigil: \`sigil sync --once --source file://… --path app\`, compiled JavaScript (as the package runs), into a fresh namespace. Reference, in one shell script under GNU time: \`git clone --depth 1\`, \`sops -d\` once per encrypted file, \`kubectl apply --server-side -f app/\`, into another fresh namespace. Requests counted in the API server's audit log by user agent.`,
    "",
    "| Measure | Sigil | Reference (sops 3.13.2 + kubectl 1.34) | Ratio / target |",
    "|---|---|---|---|",
    ...syncRows(r),
    ...operatorRows(r),
    "",
  ].join("\n");
}
