/** The environment's verbs: up, down, status. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePki } from "./pki.js";
import { isAlive, startedDaemons, stopDaemon } from "./proc.js";
import { startGit } from "./services/git.js";
import { startKms } from "./services/kms.js";
import { startKube } from "./services/kube.js";
import { startVault } from "./services/vault.js";
import { ENV_DIR, STATE_FILE, readState } from "./state.js";
import type { EnvState } from "./state.js";
import { ensureAllPeers } from "./tools.js";

type Log = (line: string) => void;
const stderr: Log = (l) => process.stderr.write(l + "\n");

/** True when a state file exists and every recorded process is alive. */
export function isUp(state: EnvState | undefined = readState()): state is EnvState {
  return state !== undefined && state.processes.every((p) => isAlive(p.pid));
}

async function timed<T>(log: Log, what: string, fn: () => Promise<T>): Promise<T> {
  const t = Date.now();
  const out = await fn();
  log(`[env] ${what} ready in ${((Date.now() - t) / 1000).toFixed(1)}s`);
  return out;
}

/** Build what is missing, start every service, wait for readiness, write the state file. */
export async function up(log: Log = stderr): Promise<EnvState> {
  const existing = readState();
  if (existing !== undefined) {
    if (isUp(existing)) {
      log("[env] already up");
      return existing;
    }
    await down(log);
  }
  const bin = await ensureAllPeers();
  const t0 = Date.now();
  // Fresh data every time; the PKI and SSH keys are kept between runs.
  for (const d of ["etcd", "git", "kms-data", "apiserver-certs", "logs"]) rmSync(join(ENV_DIR, d), { recursive: true, force: true });
  mkdirSync(join(ENV_DIR, "logs"), { recursive: true });
  const pki = ensurePki(join(ENV_DIR, "pki"));
  const tool = (t: string): string => bin[t] ?? t;
  try {
    const [kube, vault, kms, git] = await Promise.all([
      timed(log, "kubernetes", () => startKube(ENV_DIR, pki, tool)),
      timed(log, "openbao", () => startVault(ENV_DIR, tool("bao"))),
      timed(log, "local-kms", () => startKms(ENV_DIR, tool("local-kms"))),
      timed(log, "git servers", () => startGit(ENV_DIR, pki)),
    ]);
    const daemons = [...kube.daemons, ...vault.daemons, ...kms.daemons, ...git.daemons];
    const state: EnvState = {
      startedAt: new Date().toISOString(),
      kube: kube.state,
      vault: vault.state,
      kms: kms.state,
      git: git.state,
      bin,
      processes: daemons.map((d) => ({ name: d.name, pid: d.pid, log: d.log })),
    };
    writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
    log(`[env] up in ${((Date.now() - t0) / 1000).toFixed(1)}s (state: ${STATE_FILE})`);
    return state;
  } catch (err) {
    await Promise.all(startedDaemons.map((d) => stopDaemon(d.pid)));
    throw err;
  }
}

/** Stop every process `up` started, and nothing else. */
export async function down(log: Log = stderr): Promise<void> {
  const state = readState();
  if (state === undefined) {
    log("[env] nothing to stop");
    return;
  }
  // Stop in reverse start order: controllers before the API server before etcd.
  for (const p of [...state.processes].reverse()) {
    if (isAlive(p.pid)) await stopDaemon(p.pid);
  }
  rmSync(STATE_FILE, { force: true });
  log(`[env] stopped ${state.processes.length} processes`);
}

/** One line per process: name, pid, alive, log file. */
export function status(): string {
  const state = readState();
  if (state === undefined) return "not running (no state file)\n";
  const lines = state.processes.map((p) => `${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${isAlive(p.pid) ? "running" : "DEAD"}  log ${p.log}`);
  return [
    `kubernetes  ${state.kube.server}  (KUBECONFIG=${state.kube.kubeconfig})`,
    `openbao     ${state.vault.addr}`,
    `local-kms   ${state.kms.endpoint}`,
    `git https   ${state.git.httpsBase}`,
    `git ssh     ${state.git.sshBase}`,
    `audit logs  ${state.kube.auditLog ?? "(none)"}  ${state.vault.auditLog ?? "(none)"}`,
    "",
    ...lines,
    "",
  ].join("\n");
}

/** Shell `export` lines for using the environment by hand. */
export function exportsFor(state: EnvState): string {
  const sshCmd = `ssh -i ${state.git.sshKey} -o IdentitiesOnly=yes -o UserKnownHostsFile=${state.git.knownHosts}`;
  const vars: [string, string][] = [
    ["KUBECONFIG", state.kube.kubeconfig],
    ["VAULT_ADDR", state.vault.addr],
    ["VAULT_TOKEN", state.vault.token],
    ["BAO_ADDR", state.vault.addr],
    ["BAO_TOKEN", state.vault.token],
    ["AWS_ENDPOINT_URL_KMS", state.kms.endpoint],
    ["AWS_REGION", state.kms.region],
    ["AWS_ACCESS_KEY_ID", "test"],
    ["AWS_SECRET_ACCESS_KEY", "test"],
    ["SIGIL_TEST_KMS_ARN", state.kms.keyArns[0] ?? ""],
    ["SIGIL_TEST_VAULT_TRANSIT", `${state.vault.addr}/v1/${state.vault.transitMount}/keys/${state.vault.transitKey}`],
    ["SIGIL_TEST_GIT_HTTPS", state.git.httpsBase],
    ["SIGIL_TEST_GIT_USER", state.git.user],
    ["SIGIL_TEST_GIT_PASSWORD", state.git.password],
    ["SIGIL_TEST_GIT_SSH", state.git.sshBase],
    ["GIT_SSL_CAINFO", state.git.caFile],
    ["GIT_SSH_COMMAND", sshCmd],
    ["SOPS_DISABLE_VERSION_CHECK", "1"],
  ];
  return vars.map(([k, v]) => `export ${k}='${v}'`).join("\n") + "\n";
}
