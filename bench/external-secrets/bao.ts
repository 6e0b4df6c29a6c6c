/**
 * A private OpenBao dev server for the ExternalSecrets benchmark, with a
 * file audit device: every Vault request of either controller is counted
 * at the server, with its time. AppRole auth and `paths` KV v2 secrets.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../test/env/proc.js";

const ROOT = "root-bench";

/** The running server. */
export interface Bao {
  readonly addr: string;
  readonly audit: string;
  readonly proc: ChildProcess;
  readonly version: string;
  /** Stop the server and remove its files. */
  stop(): void;
}

/** Vault requests seen in the audit log after a mark. */
export interface BaoCounts {
  readonly logins: number;
  readonly reads: number;
  /** Epoch ms of each KV read. */
  readonly readTimes: readonly number[];
  /** The path of each KV read (same order as readTimes). */
  readonly readPaths: readonly string[];
}

/** A root-token API call. */
export async function baoCall(addr: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${addr}/v1/${path}`, { method, headers: { "X-Vault-Token": ROOT }, body: body === undefined ? null : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text}`);
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** Start OpenBao with AppRole (`bench` role, 1h tokens) and `paths` secrets `secret/p<i>`. */
export async function startBao(bin: string, paths: number): Promise<Bao> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-bao-"));
  const addr = `http://127.0.0.1:${port}`;
  const audit = join(dir, "audit.log");
  // OpenBao refuses audit devices through the API: declare one in a config file.
  const config = join(dir, "openbao.json");
  writeFileSync(config, JSON.stringify({ audit: [{ file: { file: { description: "bench", options: { file_path: audit } } } }] }));
  const proc = spawn(bin, ["server", "-dev", `-dev-root-token-id=${ROOT}`, `-dev-listen-address=127.0.0.1:${port}`, "-dev-no-store-token", `-config=${config}`], { env: { PATH: process.env["PATH"] ?? "", HOME: dir, SKIP_SETCAP: "1" }, stdio: "ignore" });
  let version = "";
  for (let i = 0; i < 300 && version === ""; i++) {
    const res = await fetch(`${addr}/v1/sys/health`).catch(() => undefined);
    if (res?.status === 200) version = ((await res.json()) as { version?: string }).version ?? "?";
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (version === "") throw new Error("openbao did not start");
  await baoCall(addr, "POST", "sys/auth/approle", { type: "approle" });
  await baoCall(addr, "PUT", "sys/policies/acl/read", { policy: 'path "secret/*" { capabilities = ["read", "list"] }' });
  await baoCall(addr, "POST", "auth/approle/role/bench", { token_policies: ["read"], token_ttl: "1h" });
  for (let i = 0; i < paths; i++) await baoCall(addr, "POST", `secret/data/p${i}`, { data: { password: `v${i}` } });
  const stop = (): void => {
    proc.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  return { addr, audit, proc, version, stop };
}

/** AppRole credentials for one controller. */
export async function appRoleCredentials(addr: string): Promise<{ roleId: string; secretId: string }> {
  const roleId = ((await baoCall(addr, "GET", "auth/approle/role/bench/role-id"))["data"] as { role_id: string }).role_id;
  const secretId = ((await baoCall(addr, "POST", "auth/approle/role/bench/secret-id"))["data"] as { secret_id: string }).secret_id;
  return { roleId, secretId };
}

/** The audit log's size now (a mark for {@link baoCounts}). */
export function baoMark(bao: Bao): number {
  try {
    return statSync(bao.audit).size;
  } catch {
    return 0;
  }
}

/** AppRole logins and KV reads (request entries) in the audit log between byte `from` and `to`. */
export function baoCounts(bao: Bao, from: number, to = Number.POSITIVE_INFINITY): BaoCounts {
  const text = readFileSync(bao.audit).subarray(from, Number.isFinite(to) ? to : undefined).toString("utf8");
  let logins = 0;
  const readTimes: number[] = [];
  const readPaths: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const e = JSON.parse(line) as { type?: string; time?: string; request?: { path?: string; operation?: string } };
    if (e.type !== "request") continue;
    const p = e.request?.path ?? "";
    if (p === "auth/approle/login") logins++;
    if (p.startsWith("secret/data/") && e.request?.operation === "read") {
      readTimes.push(Date.parse(e.time ?? ""));
      readPaths.push(p);
    }
  }
  return { logins, reads: readTimes.length, readTimes, readPaths };
}

/** Paths read more than once, with the times of their reads (s after `from`), most reads first; at most `max`. */
export function repeatedReads(counts: BaoCounts, from: number, max = 10): { path: string; atS: number[] }[] {
  const by = new Map<string, number[]>();
  counts.readPaths.forEach((p, i) => by.set(p, [...(by.get(p) ?? []), Math.round(((counts.readTimes[i] ?? 0) - from) / 100) / 10]));
  return [...by].filter(([, t]) => t.length > 1).sort((a, b) => b[1].length - a[1].length).slice(0, max).map(([path, atS]) => ({ path, atS }));
}

/** The largest number of times in one wall-clock second. */
export function maxPerSecond(times: readonly number[]): number {
  const buckets = new Map<number, number>();
  for (const t of times) buckets.set(Math.floor(t / 1000), (buckets.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(0, ...buckets.values());
}
