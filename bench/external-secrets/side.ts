/**
 * One controller's run of the ExternalSecrets benchmark, phase by phase, in
 * its own namespace with its own controller class (see run.ts for the list).
 */
import type { ChildProcess } from "node:child_process";
import type { HttpKubeClient } from "../../src/kube/index.js";
import { appRoleCredentials, baoCounts, baoMark, maxPerSecond, repeatedReads } from "./bao.js";
import type { Bao } from "./bao.js";
import { cpuSeconds, rss, stopProcess, tail } from "./controllers.js";
import type { Side } from "./controllers.js";
import { controllerWrites, createLatencies, kubeMark, pct, requestsSince } from "./trace.js";

/** Sizes and windows of a run. */
export interface BenchShape {
  readonly n: number;
  readonly paths: number;
  /** ExternalSecrets created one at a time into the synced set (create latency). */
  readonly paced: number;
  readonly steadyMs: number;
  readonly restartMs: number;
  readonly auditLog: string;
}

const ES = "external-secrets.io/v1";
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 0): number => Math.round(x * 10 ** d) / 10 ** d;

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (i < items.length) await fn(items[i++] as T);
  }));
}

function externalSecret(name: string, path: number): unknown {
  return { apiVersion: ES, kind: "ExternalSecret", metadata: { name }, spec: { refreshInterval: "1h", secretStoreRef: { name: "vault" }, data: [{ secretKey: "password", remoteRef: { key: `p${path}`, property: "password" } }] } };
}

async function until(what: string, timeoutMs: number, fn: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(500);
  }
}

/** Run every phase for `side`; returns its figures. */
export async function runSide(side: Side, client: HttpKubeClient, bao: Bao, shape: BenchShape): Promise<Record<string, unknown>> {
  const cls = `bench-${side.name}`;
  const ns = `bench-es-${side.name}-${Date.now().toString(36)}`;
  const esPath = `/apis/${ES}/namespaces/${ns}/externalsecrets`;
  const logs: string[] = [];
  await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const { roleId, secretId } = await appRoleCredentials(bao.addr);
  await client.create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "approle" }, data: { id: Buffer.from(secretId).toString("base64") } });
  await client.create(`/apis/${ES}/namespaces/${ns}/secretstores`, { apiVersion: ES, kind: "SecretStore", metadata: { name: "vault" }, spec: { controller: cls, provider: { vault: { server: bao.addr, path: "secret", version: "v2", auth: { appRole: { path: "approle", roleId, secretRef: { name: "approle", key: "id" } } } } } } });
  const start = (): ChildProcess => {
    const child = side.start(cls);
    tail(child, logs);
    return child;
  };
  const out: Record<string, unknown> = { namespace: ns, startedAt: Date.now() };
  let proc = start();
  try {
    const kube0 = kubeMark(shape.auditLog);
    const bao0 = baoMark(bao);
    await until("the store to be Ready", 120_000, async () => (await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`/apis/${ES}/namespaces/${ns}/secretstores/vault`))?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true);

    // 1. Burst: N ExternalSecrets created as fast as the client goes (8 at a time).
    const names = Array.from({ length: shape.n }, (_, i) => `es-${String(i).padStart(4, "0")}`);
    const t0 = Date.now();
    await pool(names, 8, (name) => client.create(esPath, externalSecret(name, Number(name.slice(3)) % shape.paths)));
    const createdIn = Date.now() - t0;
    await until(`${shape.n} Secrets`, 900_000, async () => (await client.list(`/api/v1/namespaces/${ns}/secrets`, { labelSelector: "reconcile.external-secrets.io/managed=true" })).items.length >= shape.n);
    await settle(client, shape, ns, kube0);
    const burstReqs = await requestsSince(shape.auditLog, kube0, ns, client);
    const burstLat = createLatencies(burstReqs, new Set(names));
    const sync = baoCounts(bao, bao0);
    const secretTimes = burstReqs.filter((r) => r.resource === "secrets" && r.verb === "create" && r.ua !== "sigil-bench").map((r) => r.at);
    out["burst"] = {
      createSeconds: round(createdIn / 1000, 1), syncedSeconds: round((Math.max(...secretTimes) - t0) / 1000, 1),
      p50Ms: round(pct(burstLat, 50)), p99Ms: round(pct(burstLat, 99)), synced: burstLat.length,
      vaultLogins: sync.logins, vaultReads: sync.reads, apiWrites: controllerWrites(burstReqs).total,
    };

    // 2. Steady state: nothing changes for steadyMs.
    const kube1 = kubeMark(shape.auditLog);
    const bao1 = baoMark(bao);
    const cpu1 = cpuSeconds(proc.pid);
    const steadyFrom = Date.now();
    await sleep(shape.steadyMs);
    const cpu2 = cpuSeconds(proc.pid);
    const steadyWrites = controllerWrites(await requestsSince(shape.auditLog, kube1, ns, client));
    const steadyBao = baoCounts(bao, bao1);
    // from/to (epoch ms): to cut the window out of a CPU profile (SIGIL_BENCH_NODE_FLAGS in controllers.ts).
    out["steady"] = { from: steadyFrom, to: steadyFrom + shape.steadyMs, seconds: shape.steadyMs / 1000, apiWrites: steadyWrites.total, writesBy: steadyWrites.by, cpuSeconds: round(cpu2 - cpu1, 2), cpuPercent: round(((cpu2 - cpu1) / (shape.steadyMs / 1000)) * 100, 2), vaultReads: steadyBao.reads, vaultLogins: steadyBao.logins };
    out["memory"] = { ...rss(proc.pid), externalSecrets: shape.n };

    // 3. Create latency: new ExternalSecrets one at a time into the synced set.
    const kube2 = kubeMark(shape.auditLog);
    const paced = Array.from({ length: shape.paced }, (_, i) => `new-${String(i).padStart(3, "0")}`);
    for (const [i, name] of paced.entries()) {
      await client.create(esPath, externalSecret(name, i % shape.paths));
      const deadline = Date.now() + 60_000;
      while ((await client.get(`/api/v1/namespaces/${ns}/secrets/${name}`)) === undefined && Date.now() < deadline) await sleep(5);
      await sleep(100);
    }
    const pacedLat = createLatencies(await requestsSince(shape.auditLog, kube2, ns, client), new Set(paced));
    out["create"] = { count: pacedLat.length, p50Ms: round(pct(pacedLat, 50)), p99Ms: round(pct(pacedLat, 99)), maxMs: round(Math.max(...pacedLat)) };
    const total = shape.n + shape.paced;

    // 4. Restart with nothing due.
    await stopProcess(proc);
    const bao3 = baoMark(bao);
    const restarted = Date.now();
    proc = start();
    await sleep(shape.restartMs);
    const r1 = baoCounts(bao, bao3);
    out["restart"] = { seconds: shape.restartMs / 1000, vaultReads: r1.reads, vaultLogins: r1.logins, burstPerSecond: maxPerSecond(r1.readTimes), firstReadAfterMs: r1.reads === 0 ? null : Math.min(...r1.readTimes) - restarted };

    // 5. Restart after a downtime longer than refreshInterval: every refresh is due.
    await stopProcess(proc);
    const overdue = new Date(Date.now() - 61 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    await pool([...names, ...paced], 8, (name) => client.patch(`${esPath}/${name}/status`, { status: { refreshTime: overdue } }, "merge"));
    const bao4 = baoMark(bao);
    const kube4 = kubeMark(shape.auditLog);
    const restarted2 = Date.now();
    proc = start();
    await quietVault(bao, bao4, shape.restartMs * 2.5);
    const r2 = baoCounts(bao, bao4);
    const dueWrites = controllerWrites(await requestsSince(shape.auditLog, kube4, ns, client));
    const rel = r2.readTimes.map((t) => t - restarted2);
    out["restartOverdue"] = {
      externalSecrets: total, vaultReads: r2.reads, distinctPaths: new Set(r2.readPaths).size, repeated: repeatedReads(r2, restarted2), vaultLogins: r2.logins, burstPerSecond: maxPerSecond(r2.readTimes),
      firstReadAfterS: r2.reads === 0 ? null : round(Math.min(...rel) / 1000, 1), lastReadAfterS: r2.reads === 0 ? null : round(Math.max(...rel) / 1000, 1),
      readsInFirst10s: rel.filter((t) => t < 10_000).length, apiWrites: dueWrites.total, writesBy: dueWrites.by,
    };
  } catch (err) {
    process.stderr.write(`${side.name}: ${String(err)}\n--- last output ---\n${logs.join("").slice(-3000)}\n`);
    throw err;
  } finally {
    await stopProcess(proc);
    await client.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  }
  // The next side watches the whole cluster: tearing this namespace down (2,000 objects, about a minute) during its
  // run would put these deletions on its watches and its CPU figures (the 4.9 CPU-s of Sigil's steady window at 12:44).
  const t = Date.now();
  await until(`namespace ${ns} to be gone`, 600_000, async () => (await client.get(`/api/v1/namespaces/${ns}`)) === undefined);
  out["teardownSeconds"] = round((Date.now() - t) / 1000, 1);
  return out;
}

/** Wait until the controller's writes in `ns` stop for 6 s (max 5 min). */
async function settle(client: HttpKubeClient, shape: BenchShape, ns: string, from: number): Promise<void> {
  let last = -1;
  let quiet = 0;
  const deadline = Date.now() + 300_000;
  while (quiet < 3 && Date.now() < deadline) {
    await sleep(2000);
    const n = controllerWrites(await requestsSince(shape.auditLog, from, ns, client)).total;
    quiet = n === last ? quiet + 1 : 0;
    last = n;
  }
}

/** Wait at least `minMs`, then until no Vault read came for 15 s (max 6 min). */
async function quietVault(bao: Bao, from: number, minMs: number): Promise<void> {
  const begin = Date.now();
  let last = -1;
  let since = Date.now();
  while (Date.now() - begin < 360_000) {
    await sleep(1000);
    const n = baoCounts(bao, from).reads;
    if (n !== last) {
      last = n;
      since = Date.now();
    }
    if (Date.now() - begin >= minMs && Date.now() - since >= 15_000) return;
  }
}
