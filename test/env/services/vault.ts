/** OpenBao dev server (Vault API): KV v2 at secret/ and transit with a key for SOPS. */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { VaultState } from "../state.js";
import { EnvError, freePort, startDaemon, waitUntil } from "../proc.js";
import type { Daemon } from "../proc.js";

async function vaultCall(addr: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${addr}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": token, "Content-Type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(3000),
  });
  const text = await res.text();
  return { status: res.status, json: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

async function ensure(step: string, addr: string, token: string, method: string, path: string, body?: unknown): Promise<void> {
  const res = await vaultCall(addr, token, method, path, body);
  if (res.status >= 300) throw new EnvError(step, `${method} /v1/${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
}

/**
 * A file audit device, declared in a config file: OpenBao refuses to enable
 * audit devices through the API (sys/audit) unless told to, and creates
 * declared ones at start. Each request and response is one json line, with
 * secret values HMAC'd (log_raw is off).
 */
function auditConfig(auditLog: string): string {
  return JSON.stringify({ audit: [{ file: { file: { description: "sigil test environment", options: { file_path: auditLog } } } }] }, null, 2);
}

async function ensureAuditDevice(addr: string, token: string, auditLog: string): Promise<void> {
  const devices = await vaultCall(addr, token, "GET", "sys/audit");
  if (JSON.stringify(devices.json).includes(auditLog)) return;
  // Older OpenBao (and Vault) accept it through the API.
  await ensure("openbao audit device", addr, token, "POST", "sys/audit/file", { type: "file", options: { file_path: auditLog } });
}

export async function startVault(dir: string, bao: string): Promise<{ state: VaultState; daemons: Daemon[] }> {
  const port = await freePort();
  const addr = `http://127.0.0.1:${port}`;
  const token = `root-${randomBytes(8).toString("hex")}`;
  const auditLog = join(dir, "logs", "openbao-audit.log");
  const config = join(dir, "openbao.json");
  writeFileSync(config, auditConfig(auditLog));
  const daemon = startDaemon("openbao", bao, [
    "server", "-dev", `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`, "-dev-no-store-token", `-config=${config}`,
  ], { log: join(dir, "logs", "openbao.log"), env: { ...process.env, HOME: dir, BAO_ADDR: addr, SKIP_SETCAP: "1" } });
  await waitUntil("openbao health", async () => {
    const res = await fetch(`${addr}/v1/sys/health`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  }, { timeoutMs: 30_000, daemon });
  const mounts = await vaultCall(addr, token, "GET", "sys/mounts");
  const hasKv = JSON.stringify(mounts.json).includes('"secret/"');
  if (!hasKv) await ensure("openbao kv", addr, token, "POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } });
  await ensure("openbao transit", addr, token, "POST", "sys/mounts/transit", { type: "transit" });
  await ensure("openbao transit key", addr, token, "POST", "transit/keys/sops", {});
  await ensureAuditDevice(addr, token, auditLog);
  return {
    daemons: [daemon],
    state: { addr, token, kvMount: "secret", transitMount: "transit", transitKey: "sops", auditLog },
  };
}
