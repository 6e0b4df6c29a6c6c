/**
 * ExternalSecrets benchmark: Sigil's `externalsecrets` controller and the
 * real ESO 0.16.2 side by side in one run, each as its own process against
 * the environment's API server and a private OpenBao whose file audit device
 * counts every Vault request; API requests are counted and timed in the API
 * server's audit log. N ExternalSecrets over N/10 Vault paths, refresh 1h,
 * AppRole login. Phases, per controller:
 *
 * 1. burst: N ExternalSecrets created at once; logins and reads over those
 *    N first reconciles, create → Secret latency under that load;
 * 2. steady: nothing changes for a window: API writes, CPU time, RSS;
 * 3. create: new ExternalSecrets one at a time into the synced set:
 *    create → Secret p50 / p99, timed at the API server;
 * 4. restart with nothing due: Vault reads and the largest burst per second;
 * 5. restart after a downtime longer than refreshInterval (every
 *    `status.refreshTime` moved back 61 min while the controller is down):
 *    reads, logins, burst per second, spread.
 *
 * `npm run bench -- external-secrets [--n 1000] [--paced 50] [--steady 60] [--restart 30] [--only sigil|eso]`
 * (default --n 200 for routine runs; the figures in docs/benchmarks.md are from --n 1000).
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HttpKubeClient, kubeconfigConnection } from "../../src/kube/index.js";
import { readState } from "../../test/env/state.js";
import { ensureEsoCrds } from "../../test/support/eso.js";
import { compileCli } from "../reconcile/processes.js";
import { startBao } from "./bao.js";
import { esoSide, sigilSide } from "./controllers.js";
import { report } from "./report.js";
import { runSide } from "./side.js";
import type { BenchShape } from "./side.js";
import { BENCH_UA } from "./trace.js";

const load = (): string => loadavg().map((x) => x.toFixed(1)).join(" / ");

/** Run the benchmark with `args` (the flags above); writes results.json and the docs section. */
export async function runExternalSecretsBench(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({ args: [...args], options: { n: { type: "string" }, paced: { type: "string" }, steady: { type: "string" }, restart: { type: "string" }, only: { type: "string" } }, allowPositionals: true });
  const n = Number(values.n ?? process.env["SIGIL_BENCH_ES_N"] ?? "200");
  if (!Number.isInteger(n) || n < 10) throw new Error(`--n: '${values.n ?? ""}' is not an integer ≥ 10`);
  const state = readState();
  if (state === undefined) throw new Error("the environment is not up (npm run env -- up)");
  if (state.kube.auditLog === undefined) throw new Error("the environment has no API server audit log: restart it (npm run env -- down && npm run env -- up)");
  const shape: BenchShape = {
    n, paths: Math.max(1, Math.floor(n / 10)), paced: Number(values.paced ?? "50"),
    steadyMs: Number(values.steady ?? "60") * 1000, restartMs: Number(values.restart ?? "30") * 1000, auditLog: state.kube.auditLog,
  };
  const conn = kubeconfigConnection(state.kube.kubeconfig);
  if (conn === undefined) throw new Error("no kubeconfig connection");
  const client = new HttpKubeClient(conn, { userAgent: BENCH_UA });
  await ensureEsoCrds(client);
  const cli = compileCli();
  const bao = await startBao(state.bin["bao"] ?? "bao", shape.paths);
  const machine = { cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`, node: process.version, openbao: bao.version, loadAtStart: load(), uptimeAtStart: execFileSync("uptime", { encoding: "utf8" }).trim(), at: new Date().toISOString() };
  process.stderr.write(`external-secrets bench: n=${n} paths=${shape.paths}, load ${machine.loadAtStart}\n`);
  const results: Record<string, Record<string, unknown>> = {};
  const sides = [esoSide(state.kube.kubeconfig), sigilSide(state.kube.kubeconfig, cli.entry)].filter((s) => values.only === undefined || values.only === s.name);
  try {
    for (const side of sides) {
      process.stderr.write(`  ${side.name}: running (load ${load()})\n`);
      results[side.name] = { ...(await runSide(side, client, bao, shape)), loadAfter: load() };
    }
  } finally {
    bao.stop();
    cli.cleanup();
    client.close();
  }
  const run = { shape: { n, paths: shape.paths, paced: shape.paced, steadySeconds: shape.steadyMs / 1000, restartSeconds: shape.restartMs / 1000 }, machine: { ...machine, loadAtEnd: load(), uptimeAtEnd: execFileSync("uptime", { encoding: "utf8" }).trim() }, results };
  const file = `results${n === 1000 && values.only === undefined ? "" : `-${n}`}${values.only === undefined ? "" : `-${values.only}`}.json`;
  writeFileSync(join("bench", "external-secrets", file), JSON.stringify(run, null, 2) + "\n");
  if (values.only === undefined) report(run);
  process.stdout.write(JSON.stringify(run, null, 2) + "\n");
}

if (process.argv[1]?.endsWith("external-secrets/run.ts") === true) await runExternalSecretsBench(process.argv.slice(2));
