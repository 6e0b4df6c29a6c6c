/**
 * The measure of the "many Syncs" benchmark: the operator's first start over
 * every Sync (cold), then a restart, timed from the new process's spawn to
 * every Sync reconciled by it and Ready (`reconciledAt`); its peak RSS, CPU time, and requests
 * at the API server (audit log, user agent `sigil-operator`).
 */
import type { ChildProcess } from "node:child_process";
import type { KubeClient } from "../../src/kube/index.js";
import { DEFAULT_REQUEUE_JITTER, defaultWorkQueueOptions } from "../../src/kube/runtime/index.js";
import { countBy, kubeAuditMark, kubeAuditSince } from "../../test/support/audit.js";
import type { KubeAuditEvent } from "../../test/support/audit.js";
import { freePort } from "../../test/support/bitnami.js";
import { median } from "../lib/measure.js";
import { cpuOf, rssOf, startOperator } from "../reconcile/operator.js";
import { BY_SIGIL, counts } from "../reconcile/processes.js";
import type { RequestCounts } from "../reconcile/processes.js";
import { readySyncs } from "./setup.js";

/** One start of the operator, to every Sync Ready. */
export interface Phase {
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** VmHWM of the operator process when every Sync was Ready. */
  readonly peakRssMb: number;
  readonly rssMb: number;
}

/** What the restart did, as the API server logged it. */
export interface RestartDetail {
  readonly requests: RequestCounts;
  /** Seconds from the spawn to the first, median and last Sync reconciled (see `reconciledAt`; the audit log's own times). */
  readonly readyTimeline: { readonly firstS: number; readonly medianS: number; readonly lastS: number };
  /** Status patches per Sync: more than one means it was reported not ready (no artifact yet) before it was reconciled. */
  readonly statusPatches: { readonly total: number; readonly syncsWithMoreThanOne: number };
  /** GitSource status patches (one per fetch). */
  readonly sourceFetches: number;
}

export interface RunResults {
  /** The operator's work queue: keys at once per controller, and the requeue jitter (both runtime defaults). */
  readonly concurrency: number;
  readonly requeueJitter: number;
  readonly nodeFlags: readonly string[];
  readonly cold: Phase;
  readonly restart: Phase & RestartDetail;
}

export interface MeasureOptions {
  readonly client: KubeClient;
  readonly cli: string;
  readonly ns: string;
  readonly syncs: number;
  /** The Sync that manages each object, by object name. */
  readonly owners: ReadonlyMap<string, string>;
  readonly nodeFlags: readonly string[];
  readonly log: (m: string) => void;
}

const TIMEOUT_MS = 20 * 60_000;
const POLL_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly t0: number;
  readonly wallStart: number;
  readonly stderr: string[];
}

async function spawnOperator(o: MeasureOptions): Promise<Running> {
  const stderr: string[] = [];
  const port = await freePort();
  const wallStart = Date.now();
  const t0 = performance.now();
  const child = startOperator(o.cli, o.nodeFlags, port, stderr);
  return { child, pid: child.pid ?? 0, t0, wallStart, stderr };
}

const alive = (r: Running): boolean => r.child.exitCode === null && r.child.signalCode === null;

async function stopOperator(r: Running): Promise<void> {
  if (!alive(r)) return;
  const exited = new Promise<void>((resolve) => r.child.once("exit", () => { resolve(); }));
  r.child.kill("SIGTERM");
  await Promise.race([exited, sleep(30_000)]);
  if (alive(r)) r.child.kill("SIGKILL");
}

/** Poll until `done()` says so; fail when the operator exits or the budget runs out. */
async function until(r: Running, what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    if (!alive(r)) throw new Error(`the operator exited (${String(r.child.exitCode)}) before ${what}: ${r.stderr.join("").slice(-1500)}`);
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

function phase(r: Running): Phase {
  const mem = rssOf(r.pid);
  return { seconds: (performance.now() - r.t0) / 1000, cpuSeconds: cpuOf(r.pid), peakRssMb: mem.hwm, rssMb: mem.rss };
}

const isSyncStatusPatch = (ns: string) => (e: KubeAuditEvent): boolean =>
  BY_SIGIL(e) && e.verb === "patch" && e.resource === "syncs" && e.subresource === "status" && e.namespace === ns && e.code === 200;

/**
 * When each Sync was reconciled by the new process (ms since the epoch, the
 * audit log's times): its status patched, or else every one of its objects
 * applied or diffed (a patch, dry run or not). An unchanged re-sync writes
 * no status, but a new process diffs every object once (nothing is
 * remembered across a restart).
 */
function reconciledAt(events: readonly KubeAuditEvent[], ns: string, owners: ReadonlyMap<string, string>): Map<string, number> {
  const perSync = new Map<string, number>();
  for (const owner of owners.values()) perSync.set(owner, (perSync.get(owner) ?? 0) + 1);
  const seen = new Map<string, Set<string>>();
  const done = new Map<string, number>();
  for (const e of events) {
    if (!BY_SIGIL(e) || e.namespace !== ns || e.verb !== "patch") continue;
    const at = Date.parse(e.at ?? "");
    if (isSyncStatusPatch(ns)(e)) done.set(e.name ?? "", at);
    const owner = e.resource === "configmaps" ? owners.get(e.name ?? "") : undefined;
    if (owner === undefined || done.has(owner)) continue;
    const objects = seen.get(owner) ?? new Set<string>();
    objects.add(e.name ?? "");
    seen.set(owner, objects);
    if (objects.size === perSync.get(owner)) done.set(owner, at);
  }
  return done;
}

/** The restart's detail from its audit events. */
function detail(events: readonly KubeAuditEvent[], o: MeasureOptions, wallStart: number): RestartDetail {
  const patches = events.filter(isSyncStatusPatch(o.ns));
  const perSync = countBy(patches, (e) => e.name ?? "");
  const times = [...reconciledAt(events, o.ns, o.owners).values()].map((at) => (at - wallStart) / 1000).sort((a, b) => a - b);
  return {
    requests: counts(events, BY_SIGIL),
    readyTimeline: { firstS: times[0] ?? 0, medianS: times.length === 0 ? 0 : median(times), lastS: times.at(-1) ?? 0 },
    statusPatches: { total: patches.length, syncsWithMoreThanOne: Object.values(perSync).filter((n) => n > 1).length },
    sourceFetches: events.filter((e) => BY_SIGIL(e) && e.resource === "gitsources" && e.subresource === "status" && e.verb === "patch" && e.namespace === o.ns).length,
  };
}

/** Cold start to all Ready, stop, restart to all reconciled again and Ready. */
export async function measureRestart(o: MeasureOptions): Promise<RunResults> {
  const queue = { concurrency: defaultWorkQueueOptions().concurrency, requeueJitter: DEFAULT_REQUEUE_JITTER, nodeFlags: o.nodeFlags };
  const first = await spawnOperator(o);
  let cold: Phase;
  try {
    await until(first, `all ${o.syncs} Syncs Ready`, async () => (await readySyncs(o.client, o.ns)).ready.size === o.syncs);
    cold = phase(first);
  } finally {
    await stopOperator(first);
  }
  o.log(`cold start: all ${o.syncs} Syncs Ready in ${cold.seconds.toFixed(1)} s, peak RSS ${cold.peakRssMb.toFixed(1)} MB`);
  const mark = kubeAuditMark();
  const second = await spawnOperator(o);
  try {
    let events: KubeAuditEvent[] = [];
    await until(second, "every Sync reconciled after the restart and Ready", async () => {
      events = await kubeAuditSince(mark, o.client); // read the log before the Syncs: a patch seen here is in the list below
      const reconciled = reconciledAt(events, o.ns, o.owners);
      const { ready } = await readySyncs(o.client, o.ns);
      return ready.size === o.syncs && [...ready].every((n) => reconciled.has(n));
    });
    const restart = { ...phase(second), ...detail(events, o, second.wallStart) };
    o.log(`restart: all ${o.syncs} Syncs reconciled and Ready in ${restart.seconds.toFixed(1)} s, peak RSS ${restart.peakRssMb.toFixed(1)} MB, ${String(restart.requests.requests)} requests`);
    return { ...queue, cold, restart };
  } finally {
    await stopOperator(second);
  }
}
