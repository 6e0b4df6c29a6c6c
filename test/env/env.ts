/** The environment's verbs: up, down, status. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePki } from "./pki.js";
import { isAlive, stopDaemon } from "./proc.js";
import { checkPrerequisites } from "./prereqs.js";
import { startGit } from "./services/git.js";
import { startKms } from "./services/kms.js";
import { primaryLayout, secondLayout, startKube } from "./services/kube.js";
import { startVault } from "./services/vault.js";
import { ENV_DIR, PROCESSES_FILE, STATE_FILE, isSameProcess, readRecordedProcesses, readState } from "./state.js";
import type { EnvState, RecordedProcess } from "./state.js";
import { anyPeerMissing, ensureAllPeers } from "./tools.js";

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

/**
 * Run the service starts side by side and wait for every one of them (so
 * nothing starts after the clean-up); if one failed, stop every recorded
 * process and throw its error.
 */
export async function startAllOrNone<T extends readonly unknown[]>(log: Log, starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(starts);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure !== undefined) {
    await stopRecorded(log);
    throw failure.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Build what is missing, start every service, wait for readiness, write the state file. A failed `up` stops everything it started. */
export async function up(log: Log = stderr): Promise<EnvState> {
  const existing = readState();
  if (existing !== undefined) {
    if (isUp(existing)) {
      log("[env] already up");
      return existing;
    }
    await down(log);
  } else if (readRecordedProcesses().length > 0) {
    log("[env] stopping what an unfinished `up` left running");
    await down(log);
  }
  checkPrerequisites({ needBuild: anyPeerMissing() });
  const bin = await ensureAllPeers();
  const t0 = Date.now();
  // Fresh data every time; the PKI and SSH keys are kept between runs.
  for (const d of ["etcd", "git", "kms-data", "apiserver-certs", "kube2", "logs"]) rmSync(join(ENV_DIR, d), { recursive: true, force: true });
  mkdirSync(join(ENV_DIR, "logs"), { recursive: true });
  const pki = ensurePki(join(ENV_DIR, "pki"));
  // The second cluster's own CA (and service-account key): nothing of the first is valid there.
  const pki2 = ensurePki(join(ENV_DIR, "pki2"), "sigil-test-ca-2");
  const tool = (t: string): string => bin[t] ?? t;
  type Kube = Started<typeof startKube>;
  const [kube, kube2, vault, kms, git] = await startAllOrNone<[Kube, Kube, Started<typeof startVault>, Started<typeof startKms>, Started<typeof startGit>]>(log, [
    timed(log, "kubernetes", () => startKube(primaryLayout(ENV_DIR), pki, tool)),
    timed(log, "kubernetes (second cluster)", () => startKube(secondLayout(ENV_DIR), pki2, tool)),
    timed(log, "openbao", () => startVault(ENV_DIR, tool("bao"))),
    timed(log, "local-kms", () => startKms(ENV_DIR, tool("local-kms"))),
    timed(log, "git servers", () => startGit(ENV_DIR, pki)),
  ]);
  const daemons = [...kube.daemons, ...kube2.daemons, ...vault.daemons, ...kms.daemons, ...git.daemons];
  const state: EnvState = {
    startedAt: new Date().toISOString(),
    kube: kube.state,
    kube2: kube2.state,
    vault: vault.state,
    kms: kms.state,
    git: git.state,
    bin,
    processes: daemons.map((d) => ({ name: d.name, pid: d.pid, log: d.log })),
  };
  try {
    writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
  } catch (err) {
    await stopRecorded(log);
    throw err;
  }
  log(`[env] up in ${((Date.now() - t0) / 1000).toFixed(1)}s (state: ${STATE_FILE})`);
  return state;
}

type Started<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;

/** Every process to stop: the record first (start order), then any the state file lists that the record lacks. */
function processesToStop(state: EnvState | undefined): RecordedProcess[] {
  const recorded = readRecordedProcesses();
  const known = new Set(recorded.map((p) => p.pid));
  return [...recorded, ...(state?.processes ?? []).filter((p) => !known.has(p.pid))];
}

/** Stop every recorded process still alive (newest first), and forget them. Returns how many were stopped. */
export async function stopRecorded(log: Log, state?: EnvState): Promise<number> {
  const all = processesToStop(state);
  let stopped = 0;
  // Reverse start order: controllers before the API server before etcd.
  for (const p of [...all].reverse()) {
    if (!isSameProcess(p)) continue;
    await stopDaemon(p.pid);
    stopped++;
  }
  rmSync(PROCESSES_FILE, { force: true });
  if (stopped > 0) log(`[env] stopped ${stopped} of ${all.length} recorded processes`);
  return stopped;
}

/** Stop every process `up` started, and nothing else; also a partial environment (no state file) left by a failed `up`. */
export async function down(log: Log = stderr): Promise<void> {
  const state = readState();
  if (state === undefined && readRecordedProcesses().length === 0) {
    log("[env] nothing to stop");
    return;
  }
  const stopped = await stopRecorded(log, state);
  rmSync(STATE_FILE, { force: true });
  log(`[env] stopped ${stopped} processes${state === undefined ? " (a partial environment: there was no state file)" : ""}`);
}

/** One line per process: name, pid, alive, log file. */
export function status(): string {
  const state = readState();
  if (state === undefined) return partialStatus();
  const lines = state.processes.map((p) => `${p.name.padEnd(26)} pid ${String(p.pid).padEnd(8)} ${isAlive(p.pid) ? "running" : "DEAD"}  log ${p.log}`);
  return [
    `kubernetes  ${state.kube.server}  (KUBECONFIG=${state.kube.kubeconfig})`,
    `kubernetes  ${state.kube2?.server ?? "(no second cluster: started before it existed)"}  second cluster${state.kube2 ? ` (KUBECONFIG=${state.kube2.kubeconfig})` : ""}`,
    `openbao     ${state.vault.addr}`,
    `local-kms   ${state.kms.endpoint}`,
    `git https   ${state.git.httpsBase}`,
    `git ssh     ${state.git.sshBase}`,
    `audit logs  ${state.kube.auditLog ?? "(none)"}  ${state.kube2?.auditLog ?? "(none)"}  ${state.vault.auditLog ?? "(none)"}`,
    "",
    ...lines,
    "",
  ].join("\n");
}

function partialStatus(): string {
  const recorded = readRecordedProcesses();
  if (recorded.length === 0) return "not running (no state file)\n";
  const lines = recorded.map((p) => `${p.name.padEnd(26)} pid ${String(p.pid).padEnd(8)} ${isSameProcess(p) ? "running" : "gone"}  log ${p.log}`);
  return [`partially started (no state file): ${recorded.length} process(es) recorded; \`npm run env -- down\` stops them`, "", ...lines, ""].join("\n");
}

/** Shell `export` lines for using the environment by hand. */
export function exportsFor(state: EnvState): string {
  const sshCmd = `ssh -i ${state.git.sshKey} -o IdentitiesOnly=yes -o UserKnownHostsFile=${state.git.knownHosts}`;
  const vars: [string, string][] = [
    ["KUBECONFIG", state.kube.kubeconfig],
    ...(state.kube2 ? ([["SIGIL_TEST_KUBECONFIG_2", state.kube2.kubeconfig]] as [string, string][]) : []),
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
