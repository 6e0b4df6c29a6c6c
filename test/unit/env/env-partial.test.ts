/**
 * A failed or interrupted `npm run env -- up` leaves nothing running: every
 * process is recorded in processes.json the moment it starts, a failed `up`
 * waits for its other starts and stops all of them, and `down` stops a
 * partial environment (no state file). Each test uses its own private
 * SIGIL_ENV_DIR and real child processes (`sleep`), never the shared
 * environment.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type EnvModule = typeof import("../../env/env.js");
type ProcModule = typeof import("../../env/proc.js");
type StateModule = typeof import("../../env/state.js");

let dir: string;
let env: EnvModule;
let proc: ProcModule;
let state: StateModule;
const spawned: number[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "env-cli-io-"));
  vi.stubEnv("SIGIL_ENV_DIR", dir);
  vi.resetModules();
  env = await import("../../env/env.js");
  proc = await import("../../env/proc.js");
  state = await import("../../env/state.js");
});

afterEach(() => {
  for (const pid of spawned.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

function daemon(name: string): number {
  const d = proc.startDaemon(name, "sleep", ["600"], { log: join(dir, `${name}.log`) });
  spawned.push(d.pid);
  return d.pid;
}

const quiet = (): void => undefined;

describe("a partial environment is recorded and stopped", () => {
  it("records each process the moment it starts, before anything waits for it", () => {
    const a = daemon("etcd");
    const b = daemon("kube-apiserver");
    expect(state.readRecordedProcesses().map((p) => [p.name, p.pid])).toEqual([["etcd", a], ["kube-apiserver", b]]);
    expect(existsSync(state.STATE_FILE)).toBe(false);
  });

  it("status names a partial environment, and down stops it although there is no state file", async () => {
    const pids = [daemon("etcd"), daemon("openbao")];
    expect(env.status()).toMatch(/^partially started \(no state file\): 2 process\(es\) recorded/);
    const lines: string[] = [];
    await env.down((l) => lines.push(l));
    for (const pid of pids) expect(proc.isAlive(pid)).toBe(false);
    expect(existsSync(state.PROCESSES_FILE)).toBe(false);
    expect(lines.at(-1)).toBe("[env] stopped 2 processes (a partial environment: there was no state file)");
    expect(env.status()).toBe("not running (no state file)\n");
  });

  it("a failed start stops every process, also one started after the failure", async () => {
    const started: number[] = [];
    const late = async (): Promise<string> => {
      await sleep(300); // still starting when the other start has already failed
      started.push(daemon("kube-controller-manager"));
      return "kube";
    };
    const failing = async (): Promise<string> => {
      started.push(daemon("sshd"));
      await sleep(20);
      throw new proc.EnvError("git ssh", "sshd exited during start-up");
    };
    const ok = async (): Promise<string> => {
      started.push(daemon("openbao"));
      await sleep(50);
      return "vault";
    };
    const err = await env.startAllOrNone<[string, string, string]>(quiet, [late(), failing(), ok()]).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: "git ssh", message: "sshd exited during start-up" });
    expect(started).toHaveLength(3);
    for (const pid of started) expect(proc.isAlive(pid)).toBe(false);
    expect(existsSync(state.PROCESSES_FILE)).toBe(false);
  });

  it("never signals a process that only reuses a recorded pid", async () => {
    const other = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    const pid = other.pid ?? 0;
    spawned.push(pid);
    state.recordProcess({ name: "etcd", pid, log: "x" });
    // Pretend the record is from an earlier process with the same pid.
    const [rec] = state.readRecordedProcesses();
    const { writeFileSync } = await import("node:fs");
    writeFileSync(state.PROCESSES_FILE, JSON.stringify([{ ...rec, startTime: "1" }]));
    await env.down(quiet);
    expect(proc.isAlive(pid)).toBe(true);
    expect(existsSync(state.PROCESSES_FILE)).toBe(false);
  });
});
