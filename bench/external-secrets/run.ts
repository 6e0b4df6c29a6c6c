/**
 * ExternalSecrets benchmark, Sigil's controller and the real ESO 0.16.2 side
 * by side in one run, both as separate processes against the environment's
 * API server and a private OpenBao with a file audit device (every Vault
 * request is counted at the server):
 *
 * - create: N ExternalSecrets over N/10 Vault paths (refresh 1h); time from
 *   each create to its Secret existing (p50, p99);
 * - logins and reads from the controller's start to the end of that initial sync (store validation included);
 * - restart: the controller stopped and started again; Vault reads and
 *   logins in the next 20 s, and the largest burst in one second;
 * - memory: RSS of the controller process with the N ExternalSecrets synced.
 *
 * `SIGIL_ENV_DIR=… npx tsx bench/external-secrets/run.ts [N]` (default 300), or
 * `SIGIL_BENCH_ES_N=N npm run bench -- external-secrets`.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpKubeClient, kubeconfigConnection } from "../../src/kube/index.js";
import { readState } from "../../test/env/state.js";
import { freePort } from "../../test/env/proc.js";
import { esoArgs, esoBin, ensureEsoCrds } from "../../test/support/eso.js";

const argN = Number(process.argv[2]);
const N = Number.isInteger(argN) && argN > 0 ? argN : Number(process.env["SIGIL_BENCH_ES_N"] ?? "300");
const PATHS = Math.max(1, Math.floor(N / 10));
const ROOT = "root-bench";

interface Bao { addr: string; audit: string; proc: ChildProcess }

async function call(addr: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${addr}/v1/${path}`, { method, headers: { "X-Vault-Token": ROOT }, body: body === undefined ? null : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text}`);
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

async function startBao(bin: string): Promise<Bao> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-bao-"));
  const addr = `http://127.0.0.1:${port}`;
  const audit = join(dir, "audit.log");
  // OpenBao refuses audit devices through the API: declare one in a config file.
  const config = join(dir, "openbao.json");
  writeFileSync(config, JSON.stringify({ audit: [{ file: { file: { description: "bench", options: { file_path: audit } } } }] }));
  const proc = spawn(bin, ["server", "-dev", `-dev-root-token-id=${ROOT}`, `-dev-listen-address=127.0.0.1:${port}`, "-dev-no-store-token", `-config=${config}`], { env: { PATH: process.env["PATH"] ?? "", HOME: dir, SKIP_SETCAP: "1" }, stdio: "ignore" });
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${addr}/v1/sys/health`).catch(() => undefined))?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await call(addr, "POST", "sys/auth/approle", { type: "approle" });
  await call(addr, "PUT", "sys/policies/acl/read", { policy: 'path "secret/*" { capabilities = ["read", "list"] }' });
  await call(addr, "POST", "auth/approle/role/bench", { token_policies: ["read"], token_ttl: "1h" });
  for (let i = 0; i < PATHS; i++) await call(addr, "POST", `secret/data/p${i}`, { data: { password: `v${i}` } });
  return { addr, audit, proc };
}

/** Requests in the audit log after byte `from`: logins and KV reads, with their times. */
function auditCounts(file: string, from: number): { logins: number; reads: number; readTimes: number[]; size: number } {
  const text = readFileSync(file, "utf8");
  let logins = 0;
  let reads = 0;
  const readTimes: number[] = [];
  for (const line of text.slice(from).split("\n")) {
    if (line === "") continue;
    const e = JSON.parse(line) as { type?: string; time?: string; request?: { path?: string; operation?: string } };
    if (e.type !== "request") continue;
    const p = e.request?.path ?? "";
    if (p === "auth/approle/login") logins++;
    if (p.startsWith("secret/data/") && e.request?.operation === "read") {
      reads++;
      readTimes.push(Date.parse(e.time ?? ""));
    }
  }
  return { logins, reads, readTimes, size: text.length };
}

function maxPerSecond(times: number[]): number {
  const buckets = new Map<number, number>();
  for (const t of times) buckets.set(Math.floor(t / 1000), (buckets.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(0, ...buckets.values());
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m === null ? 0 : Number(m[1]) / 1024;
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

type Starter = (cls: string) => ChildProcess;

async function runSide(name: string, start: Starter, client: HttpKubeClient, bao: Bao): Promise<Record<string, number>> {
  const cls = `bench-${name}`;
  const ns = `bench-${name}-${Date.now().toString(36)}`;
  await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const roleId = ((await call(bao.addr, "GET", "auth/approle/role/bench/role-id"))["data"] as { role_id: string }).role_id;
  const secretId = ((await call(bao.addr, "POST", "auth/approle/role/bench/secret-id"))["data"] as { secret_id: string }).secret_id;
  await client.create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "approle" }, data: { id: Buffer.from(secretId).toString("base64") } });
  await client.create(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores`, { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "vault" }, spec: { controller: cls, provider: { vault: { server: bao.addr, path: "secret", version: "v2", auth: { appRole: { path: "approle", roleId, secretRef: { name: "approle", key: "id" } } } } } } });
  const before = auditCounts(bao.audit, 0).size;
  let proc = start(cls);
  await new Promise((r) => setTimeout(r, 3000));
  const created = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    const es = `es-${i}`;
    created.set(es, Date.now());
    await client.create(`/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`, { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: es }, spec: { refreshInterval: "1h", secretStoreRef: { name: "vault" }, data: [{ secretKey: "password", remoteRef: { key: `p${i % PATHS}`, property: "password" } }] } });
  }
  const seen = new Map<string, number>();
  const deadline = Date.now() + 600_000;
  while (seen.size < N && Date.now() < deadline) {
    const list = await client.list<{ metadata?: { name?: string } }>(`/api/v1/namespaces/${ns}/secrets`, { labelSelector: "reconcile.external-secrets.io/managed=true" });
    const now = Date.now();
    for (const s of list.items) if (!seen.has(s.metadata?.name ?? "")) seen.set(s.metadata?.name ?? "", now);
    await new Promise((r) => setTimeout(r, 50));
  }
  const latencies = [...seen].filter(([k]) => created.has(k)).map(([k, t]) => t - (created.get(k) ?? t));
  await new Promise((r) => setTimeout(r, 5000));
  const sync = auditCounts(bao.audit, before);
  const rss = rssMb(proc.pid);
  proc.kill("SIGTERM");
  await new Promise((r) => proc.once("exit", r));
  const beforeRestart = auditCounts(bao.audit, 0).size;
  proc = start(cls);
  await new Promise((r) => setTimeout(r, 20_000));
  const restart = auditCounts(bao.audit, beforeRestart);
  proc.kill("SIGTERM");
  await new Promise((r) => proc.once("exit", r));
  await client.delete(`/api/v1/namespaces/${ns}`);
  return { synced: seen.size, p50: pct(latencies, 50), p99: pct(latencies, 99), syncLogins: sync.logins, syncReads: sync.reads, restartReads: restart.reads, restartLogins: restart.logins, restartBurst: maxPerSecond(restart.readTimes), rssMb: Math.round(rss) };
}

const state = readState();
if (state === undefined) throw new Error("the environment is not up (npm run env -- up)");
const conn = kubeconfigConnection(state.kube.kubeconfig);
if (conn === undefined) throw new Error("no kubeconfig connection");
const client = new HttpKubeClient(conn);
await ensureEsoCrds(client);
const bao = await startBao(state.bin["bao"] ?? "bao");
const log = (cls: string): string => join(tmpdir(), `bench-${cls}.log`);
const results: Record<string, Record<string, number>> = {};
try {
  results["eso"] = await runSide("eso", (cls) => {
    const p = spawn(esoBin(), esoArgs(0, { controllerClass: cls, extraArgs: ["--metrics-addr=0"] }), { env: { PATH: process.env["PATH"] ?? "", KUBECONFIG: state.kube.kubeconfig, HOME: tmpdir() }, stdio: "ignore" });
    return p;
  }, client, bao);
  results["sigil"] = await runSide("sigil", (cls) => spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "operator", "--kubeconfig", state.kube.kubeconfig, "--controllers", "externalsecrets", "--external-secrets-controller-class", cls, "--log-level", "error"], { env: { ...process.env, NODE_OPTIONS: "--max-semi-space-size=2" }, stdio: ["ignore", "ignore", "ignore"] }), client, bao);
} finally {
  bao.proc.kill("SIGTERM");
}
writeFileSync(join("bench", "external-secrets", "results.json"), JSON.stringify({ n: N, paths: PATHS, at: new Date().toISOString(), results }, null, 2) + "\n");
process.stdout.write(JSON.stringify({ n: N, paths: PATHS, results, logs: log("") }, null, 2) + "\n");
client.close();
