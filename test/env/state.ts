/**
 * The connection details `npm run env -- up` writes, and tests read.
 * This file is the contract between the environment and the tests.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Where a running environment keeps its state, logs and data. */
export const ENV_DIR = process.env["SIGIL_ENV_DIR"] ?? join(REPO_ROOT, ".sigil-env");
export const STATE_FILE = join(ENV_DIR, "state.json");

export interface KubeState {
  readonly server: string;
  /** kubeconfig for the admin identity (system:masters). */
  readonly kubeconfig: string;
  /** kubeconfig for a non-admin identity with no RBAC grants ("operator" user). */
  readonly userKubeconfig: string;
  readonly caFile: string;
  readonly adminToken: string;
  readonly userToken: string;
  /** The API server's audit log (json lines, level Metadata; `test/support/audit.ts` reads it). Absent in environments started before it existed. */
  readonly auditLog?: string;
  /** The API server's arguments, so a test can start a second API server on the same etcd. */
  readonly apiserverArgs?: readonly string[];
}

export interface VaultState {
  readonly addr: string;
  readonly token: string;
  /** KV v2 mount. */
  readonly kvMount: string;
  /** Transit mount and the key created for SOPS. */
  readonly transitMount: string;
  readonly transitKey: string;
  /** OpenBao's file audit device log (json lines, values HMAC'd; `test/support/audit.ts` reads it). Absent in environments started before it existed. */
  readonly auditLog?: string;
}

export interface KmsState {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** ARNs of the seeded symmetric keys (fixed across runs). */
  readonly keyArns: readonly string[];
  /** An alias ARN pointing at keyArns[0]. */
  readonly aliasArn: string;
}

export interface GitState {
  /** `https://127.0.0.1:<port>/git` : repositories are `<base>/<name>.git`. */
  readonly httpsBase: string;
  readonly user: string;
  readonly password: string;
  /** CA that signed the HTTPS server certificate. */
  readonly caFile: string;
  /** `ssh://root@127.0.0.1:<port>` + absolute repo path. */
  readonly sshBase: string;
  readonly sshKey: string;
  readonly knownHosts: string;
  /** Directory holding the bare repositories served by all three transports (file:// too). */
  readonly root: string;
}

export interface EnvState {
  readonly startedAt: string;
  readonly kube: KubeState;
  /**
   * The second, independent cluster (its own etcd, CA, tokens, ports, audit
   * log), for tests of remote clusters. Absent in environments started
   * before it existed.
   */
  readonly kube2?: KubeState;
  readonly vault: VaultState;
  readonly kms: KmsState;
  readonly git: GitState;
  /** Absolute paths of the peer binaries. */
  readonly bin: Readonly<Record<string, string>>;
  /** Processes started by `up`, for `down` and `status`. */
  readonly processes: readonly { readonly name: string; readonly pid: number; readonly log: string }[];
}

/** Read the state file, or undefined when no environment is up. */
export function readState(): EnvState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  return JSON.parse(readFileSync(STATE_FILE, "utf8")) as EnvState;
}

/**
 * Every process `up` starts, recorded here the moment it is started (before
 * anything waits for it), so that a failed or interrupted `up` leaves a
 * record `down` can stop even when no state file was written.
 */
export const PROCESSES_FILE = join(ENV_DIR, "processes.json");

export interface RecordedProcess {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
  /** Start time from /proc/<pid>/stat, so that `down` never signals a process that merely reused the pid. */
  readonly startTime?: string | undefined;
}

/** A process's start time (clock ticks since boot, /proc/<pid>/stat field 22), or undefined. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** The processes recorded so far (none when the file is missing or unreadable). */
export function readRecordedProcesses(file: string = PROCESSES_FILE): RecordedProcess[] {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as RecordedProcess[];
  } catch {
    return [];
  }
}

/** Add a started process to the record (written at once, atomically). */
export function recordProcess(p: Omit<RecordedProcess, "startTime">, file: string = PROCESSES_FILE): void {
  const all = [...readRecordedProcesses(file), { ...p, startTime: processStartTime(p.pid) }];
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
  renameSync(tmp, file);
}

/** True when `p` is still the process that was recorded (alive, same start time when one was recorded). */
export function isSameProcess(p: RecordedProcess): boolean {
  const now = processStartTime(p.pid);
  if (now === undefined) return false;
  return p.startTime === undefined || p.startTime === now;
}
