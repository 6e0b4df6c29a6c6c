/**
 * The controller path: `sigil operator --controllers gitsources,syncs` as
 * its own process (compiled JavaScript) over a GitSource and a Sync of the
 * benchmark repository with selfHeal and a short interval. Measures the
 * first sync through the controller, a re-sync on requestedAt, the interval
 * re-syncs of a quiet window (requests from the audit log), the edit→revert
 * latency of a managed Secret, and the process's RSS.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { KubeClient } from "../../src/kube/index.js";
import { freePort, waitFor } from "../../test/support/bitnami.js";
import { kubeAuditMark, kubeAuditSince, writes } from "../../test/support/audit.js";
import { applyCrdFiles, crdFile } from "../../test/support/crds.js";
import { peerBin, peers } from "../../test/support/peers.js";
import { AGE_KEY_FILE } from "../../test/support/reconcile.js";
import { median } from "../lib/measure.js";
import { BY_SIGIL, audited, counts, inScope } from "./processes.js";
import type { RequestCounts } from "./processes.js";
import type { BenchRepo } from "./repo.js";

export interface OperatorResults {
  readonly nodeFlags: readonly string[];
  /** From the operator's start (GitSource and Sync already there) to the Sync Ready at the revision. */
  readonly firstSyncSeconds: number;
  readonly firstSyncCpuSeconds: number;
  /** From a requestedAt on the Sync to its status saying it handled it (the first re-sync after the first sync). */
  readonly resyncSeconds: number;
  readonly resyncRequests: RequestCounts;
  /** More requestedAt re-syncs after it, one after the other (steady state). */
  readonly resyncRepeats?: { readonly seconds: readonly number[]; readonly requests: RequestCounts; readonly cpuSeconds?: number };
  /** The operator's CPU time (user + system) during the first requestedAt re-sync. */
  readonly resyncCpuSeconds?: number;
  /** Interval re-syncs of the unchanged revision, in a window where nothing else happens. */
  readonly quiet: { readonly seconds: number; readonly interval: string; readonly reconciles: number; readonly requests: RequestCounts; readonly writes?: readonly string[] };
  readonly drift: { readonly requests: RequestCounts; readonly edits: number; readonly latenciesMs: readonly number[]; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly rss: { readonly afterSyncMb: number; readonly afterDriftMb: number; readonly peakMb: number };
  /** The operator's warnings and errors (log level warn), the last 3,000 characters. */
  readonly logTail?: string;
}

const GITOPS = "/apis/gitops.sigil.dev/v1alpha1";
/** The Sync's interval: short, so that the quiet window holds several interval re-syncs. */
const SYNC_INTERVAL = "5s";
const QUIET_SECONDS = 16;
/** requestedAt re-syncs after the first one. */
const RESYNC_REPEATS = 3;
const CRD_FILES = ["gitops.sigil.dev_gitsources.yaml", "gitops.sigil.dev_syncs.yaml"].map(crdFile);

interface Conditions { status?: { conditions?: { type: string; status: string }[]; lastAppliedRevision?: string; lastHandledReconcileAt?: string } }

async function installCrds(client: KubeClient): Promise<void> {
  await applyCrdFiles(client, CRD_FILES, "sigil-bench");
}

async function createObjects(client: KubeClient, repo: BenchRepo, ns: string): Promise<void> {
  await client.create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "sops-keys" }, stringData: { "identity.agekey": readFileSync(AGE_KEY_FILE, "utf8") } });
  await client.create(`${GITOPS}/namespaces/${ns}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name: "bench" }, spec: { url: repo.repo.fileUrl, ref: { branch: "main" }, interval: "1h" } });
  await client.create(`${GITOPS}/namespaces/${ns}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "bench" }, spec: { sourceRef: { kind: "GitSource", name: "bench" }, path: "app", interval: SYNC_INTERVAL, timeout: "10m", selfHeal: true, decryption: { secretRef: { name: "sops-keys" } } } });
}

/** VmRSS and VmHWM of a process, in MB. */
export function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** User + system CPU seconds of a process so far. */
export function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100; // utime + stime, clock ticks (100/s)
}

const syncPath = (ns: string): string => `${GITOPS}/namespaces/${ns}/syncs/bench`;
const DRIFT_BUDGET_MS = 150_000;
const ready = (s: Conditions | undefined): boolean => s?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true && s.status.lastAppliedRevision !== undefined;

/** `sigil operator --controllers gitsources,syncs` (compiled `cli`) on the environment's admin kubeconfig; its stderr tail is kept in `stderr`. */
export function startOperator(cli: string, nodeFlags: readonly string[], healthPort: number, stderr: string[]): ChildProcess {
  const env = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", SIGIL_KUSTOMIZE: peerBin("kustomize"), SOPS_DISABLE_VERSION_CHECK: "1" };
  const child = spawn(process.execPath, [...nodeFlags, cli, "operator", "--controllers", "gitsources,syncs", "--kubeconfig", peers().kube.kubeconfig, "--health-addr", `127.0.0.1:${healthPort}`, "--log-level", "warn"], { env, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr.on("data", (d: Buffer) => {
    stderr.push(d.toString());
    if (stderr.length > 200) stderr.shift();
  });
  return child;
}

/** Seconds from a new requestedAt on the Sync until its status acknowledges it. */
async function requestResync(client: KubeClient, ns: string): Promise<number> {
  const stamp = new Date().toISOString();
  const r0 = performance.now();
  await client.patch(syncPath(ns), { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": stamp } } }, "merge");
  await waitFor("the requested re-sync", async () => ((await client.get<Conditions>(syncPath(ns)))?.status?.lastHandledReconcileAt === stamp ? true : undefined), 120_000, 20);
  return (performance.now() - r0) / 1000;
}

/** At most `edits` edits, and no new one after `budgetMs` (a drift reconcile of 1,000 objects takes seconds on a loaded machine). */
async function measureDrift(client: KubeClient, ns: string, edits: number, budgetMs: number): Promise<number[]> {
  const path = `/api/v1/namespaces/${ns}/secrets/secret-0000`;
  const original = (await client.get<{ data: Record<string, string> }>(path))?.data["password"];
  if (original === undefined) throw new Error("the managed Secret secret-0000 is not there");
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < edits && (i < 5 || performance.now() - start < budgetMs); i++) {
    const t0 = performance.now();
    await client.patch(path, { data: { password: Buffer.from(`edited-${i}`).toString("base64") } }, "merge");
    await waitFor(`edit ${i} reverted`, async () => ((await client.get<{ data: Record<string, string> }>(path))?.data["password"] === original ? true : undefined), 180_000, 5);
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 300));
  }
  return latencies;
}

function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
}

/** Run the operator over the repository in `ns` (already created) and measure. */
export async function measureOperator(client: KubeClient, repo: BenchRepo, cli: string, ns: string, edits: number, nodeFlags: readonly string[], log: (m: string) => void): Promise<OperatorResults> {
  await installCrds(client);
  await createObjects(client, repo, ns);
  const ours = (e: Parameters<typeof BY_SIGIL>[0]): boolean => BY_SIGIL(e) && inScope(ns)(e);
  const stderr: string[] = [];
  const startMark = kubeAuditMark();
  const t0 = performance.now();
  const child = startOperator(cli, nodeFlags, await freePort(), stderr);
  const pid = child.pid ?? 0;
  const exited = new Promise<void>((resolve) => child.once("exit", () => { resolve(); }));
  try {
    await waitFor("the Sync to be Ready", async () => {
      if (child.exitCode !== null) throw new Error(`the operator exited (${String(child.exitCode)}): ${stderr.join("").slice(-1500)}`);
      return ready(await client.get<Conditions>(syncPath(ns))) ? true : undefined;
    }, 600_000, 100);
    if (counts(await kubeAuditSince(startMark, client), ours).requests === 0) throw new Error("no request of the operator in the audit log: has its user agent changed? (BY_SIGIL in processes.ts)");
    const firstSyncSeconds = (performance.now() - t0) / 1000;
    const firstSyncCpuSeconds = cpuOf(pid);
    log(`operator first sync: ${firstSyncSeconds.toFixed(1)} s, ${firstSyncCpuSeconds.toFixed(1)} CPU-s`);
    await new Promise((r) => setTimeout(r, 2000));
    const afterSync = rssOf(pid);
    const cpu0 = cpuOf(pid);
    const { value: resyncSeconds, events } = await audited(client, () => requestResync(client, ns));
    const resyncCpuSeconds = cpuOf(pid) - cpu0;
    const cpu1 = cpuOf(pid);
    log(`operator re-sync on requestedAt: ${resyncSeconds.toFixed(2)} s`);
    const { value: repeats, events: repeatEvents } = await audited(client, async () => {
      const out: number[] = [];
      for (let i = 0; i < RESYNC_REPEATS; i++) {
        await new Promise((r) => setTimeout(r, 500));
        out.push(await requestResync(client, ns));
      }
      return out;
    });
    const repeatCpuSeconds = cpuOf(pid) - cpu1;
    log(`operator re-syncs on requestedAt after it: ${repeats.map((v) => v.toFixed(2)).join(", ")} s, ${repeatCpuSeconds.toFixed(2)} CPU-s in all`);
    const { events: quietEvents } = await audited(client, () => new Promise((r) => setTimeout(r, QUIET_SECONDS * 1000)));
    // Each reconcile reads the Sync's decryption Secret once: that counts the interval re-syncs in the window.
    const reconciles = quietEvents.filter((e) => ours(e) && e.verb === "get" && e.resource === "secrets" && e.name === "sops-keys").length;
    log(`quiet window of ${QUIET_SECONDS} s: ${reconciles} interval re-syncs`);
    log(`drift: ${edits} edits of a managed Secret`);
    const { value: latenciesMs, events: driftEvents } = await audited(client, () => measureDrift(client, ns, edits, DRIFT_BUDGET_MS));
    const afterDrift = rssOf(pid);
    return {
      nodeFlags, firstSyncSeconds, firstSyncCpuSeconds, resyncSeconds, resyncRequests: counts(events, ours), resyncCpuSeconds, resyncRepeats: { seconds: repeats, requests: counts(repeatEvents, ours), cpuSeconds: repeatCpuSeconds },
      quiet: { seconds: QUIET_SECONDS, interval: SYNC_INTERVAL, reconciles, requests: counts(quietEvents, ours), writes: writes(quietEvents.filter(ours)).map((e) => `${e.at ?? ""} ${e.verb} ${e.resource ?? "?"}${e.subresource === undefined ? "" : `/${e.subresource}`} ${e.name ?? ""} (${String(e.code ?? "")})`) },
      drift: { requests: counts(driftEvents, ours), edits: latenciesMs.length, latenciesMs: latenciesMs.map((v) => Math.round(v)), p50Ms: median(latenciesMs), p99Ms: percentile(latenciesMs, 99), maxMs: Math.max(...latenciesMs) },
      rss: { afterSyncMb: afterSync.rss, afterDriftMb: afterDrift.rss, peakMb: afterDrift.hwm },
      logTail: stderr.join("").slice(-3000),
    };
  } finally {
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}
