/**
 * `npx tsx bench/webhooks/run.ts [objects=100] [pushes=30] [--polling-pushes=5] [--interval=1m]`:
 * push to applied, through the webhook and, in the same run, by polling at
 * Flux's usual 1-minute interval (the reference). Two arms (`arm.ts`), each
 * its own namespace, repository, GitSource and Sync, with the `gitsources`,
 * `syncs` and `receivers` controllers in this process. The webhook arm runs
 * first, then the polling arm (its pushes come at a random point of the
 * interval, as real pushes do; `--polling-pushes=0` skips it: each push
 * costs about one interval). Prints the quantiles, the median of each phase
 * (from the controllers' log lines, `timeline.ts`), the load average, and
 * writes `bench/webhooks/results.json`. Needs a running environment (SIGIL_ENV_DIR).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/core/index.js";
import { HttpKubeClient, loadKubeConfig } from "../../src/kube/index.js";
import { Manager } from "../../src/kube/runtime/index.js";
import { ArtifactStore, SyncController, gitSourceController } from "../../src/operator/gitops/index.js";
import { ReceiverController } from "../../src/operator/webhooks/index.js";
import { ProviderRegistry } from "../../src/providers/index.js";
import { readState } from "../../test/env/state.js";
import { applyCrdFiles, crdFile } from "../../test/support/crds.js";
import { setupArm, sleep } from "./arm.js";
import type { Arm } from "./arm.js";
import { Timeline, phaseMedians, quantile } from "./timeline.js";

const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const flag = (name: string, fallback: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const N = Number(positional[0] ?? 100);
const PUSHES = Number(positional[1] ?? 30);
const POLLING_PUSHES = Number(flag("polling-pushes", "5"));
const INTERVAL = flag("interval", "1m");
const INTERVAL_MS = Number(/^(\d+)m$/.exec(INTERVAL)?.[1] ?? "1") * 60_000;

const state = readState();
if (state === undefined) throw new Error("no running environment (npm run env -- up, or set SIGIL_ENV_DIR)");
const client = new HttpKubeClient((await loadKubeConfig({ path: state.kube.kubeconfig, env: {}, homedir: tmpdir() })).connection);
const cache = mkdtempSync(join(tmpdir(), "sigil-bench-hook-cache-"));
await applyCrdFiles(client, ["gitsources", "syncs", "receivers"].map((p) => crdFile(`gitops.sigil.dev_${p}.yaml`)), "sigil-bench");

const timeline = new Timeline();
const logger = new Logger({ level: "debug", sink: timeline.sink });
const store = new ArtifactStore();
const manager = new Manager(client, { logger });
manager.add(gitSourceController({ client, store, source: { cacheDir: cache }, logger, now: () => new Date() }));
manager.add(new SyncController({ client, store, logger, now: () => new Date(), kustomizeBin: state.bin["kustomize"] ?? "kustomize", sealingKeyNamespace: "kube-system", providersFor: () => new ProviderRegistry() }));
const receivers = new ReceiverController({ client, logger, addr: "127.0.0.1:0" });
manager.add(receivers);
await manager.start();

interface ArmResult { pushes: number; p50: number; p90: number; p99: number; max: number; mean: number; phases: [string, number][] }

async function runArm(arm: Arm, pushes: number, gapMs: () => number): Promise<ArmResult> {
  const times: number[] = [];
  const rounds: Record<string, number | undefined>[] = [];
  for (let n = 1; n <= pushes; n++) {
    await sleep(gapMs());
    const { t0, ms } = await arm.round(n, receivers.address?.port);
    times.push(ms);
    rounds.push({ ...timeline.round(t0, arm.ns), applied: ms });
    process.stderr.write(`  ${arm.ns} push ${String(n)}: ${ms.toFixed(0)} ms\n`);
  }
  const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
  return { pushes, p50: quantile(times, 0.5), p90: quantile(times, 0.9), p99: quantile(times, 0.99), max: quantile(times, 1), mean, phases: phaseMedians(rounds, "applied") };
}

const results: Record<string, unknown> = { date: new Date().toISOString(), objects: N, loadBefore: loadavg() };
const arms: Arm[] = [];
try {
  const hook = await setupArm({ client, gitRoot: state.git.root, objects: N, mode: "webhook", interval: "1h" });
  arms.push(hook);
  results["webhook"] = await runArm(hook, PUSHES, () => 300);
  if (POLLING_PUSHES > 0) {
    const poll = await setupArm({ client, gitRoot: state.git.root, objects: N, mode: "polling", interval: INTERVAL });
    arms.push(poll);
    results["polling"] = await runArm(poll, POLLING_PUSHES, () => Math.random() * INTERVAL_MS);
  }
  results["loadAfter"] = loadavg();
} finally {
  await manager.stop();
  for (const arm of arms) await arm.close();
  client.close();
  rmSync(cache, { recursive: true, force: true });
}

const ms = (n: number): string => `${n.toFixed(0)} ms`;
const row = (name: string, r: ArmResult): string => `| ${name} (${String(r.pushes)} pushes) | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${ms(r.mean)} |`;
const out = ["| Push to applied, " + String(N) + " objects | p50 | p90 | p99 | max | mean |", "|---|---|---|---|---|---|"];
const hookResult = results["webhook"] as ArmResult;
out.push(row("through the webhook", hookResult));
const pollResult = results["polling"] as ArmResult | undefined;
if (pollResult !== undefined) {
  out.push(row(`polling, GitSource interval ${INTERVAL}`, pollResult));
  out.push(`| ratio polling / webhook | ${(pollResult.p50 / hookResult.p50).toFixed(1)}x | | | | ${(pollResult.mean / hookResult.mean).toFixed(1)}x |`);
}
out.push("", "| Phase (webhook arm, median) | ms |", "|---|---|", ...hookResult.phases.map(([p, v]) => `| ${p} | ${v.toFixed(0)} |`));
out.push("", `load average before ${loadavgText(results["loadBefore"])}, after ${loadavgText(results["loadAfter"])}`);
process.stdout.write(`${out.join("\n")}\n`);
writeFileSync(new URL("./results.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

function loadavgText(v: unknown): string {
  return Array.isArray(v) ? v.map((x) => Number(x).toFixed(2)).join(" ") : "?";
}
