/** Process helpers for the test environment: daemons, ports, readiness. */
import { spawn, spawnSync } from "node:child_process";
import { openSync } from "node:fs";
import { createServer } from "node:net";
import { recordProcess } from "./state.js";

export class EnvError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks it; we release it just before the daemon binds). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr !== null && typeof addr === "object") resolve(addr.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** Fail with a clear message when something else already listens on `port`. */
export async function assertPortFree(step: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once("error", () => {
      reject(new EnvError(step, `port 127.0.0.1:${port} is already in use`, "stop whatever listens there, or run `npm run env -- down` first"));
    });
    srv.listen(port, "127.0.0.1", () => srv.close(() => { resolve(); }));
  });
}

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
}

/** Every daemon started by this process, so a failed `up` can stop what it started. */
export const startedDaemons: Daemon[] = [];

/** Start a detached daemon in its own process group, logging to `log`. */
export function startDaemon(name: string, cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; log: string; cwd?: string }): Daemon {
  const fd = openSync(opts.log, "a");
  const child = spawn(cmd, [...args], {
    detached: true,
    stdio: ["ignore", fd, fd],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  if (child.pid === undefined) throw new EnvError(name, `could not start ${cmd}`);
  child.unref();
  const daemon = { name, pid: child.pid, log: opts.log };
  startedDaemons.push(daemon);
  recordProcess(daemon); // before anyone waits for it: a failed `up` can always stop it
  return daemon;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stop a daemon's whole process group: TERM, then KILL after a grace period. */
export async function stopDaemon(pid: number, graceMs = 3000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) signal("SIGKILL");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `check` until it returns true, or fail with the step named and the log to read. */
export async function waitUntil(step: string, check: () => Promise<boolean>, opts: { timeoutMs: number; daemon?: Daemon }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (opts.daemon !== undefined && !isAlive(opts.daemon.pid)) {
      throw new EnvError(step, `${opts.daemon.name} exited during start-up`, `read ${opts.daemon.log}`);
    }
    if (Date.now() > deadline) {
      throw new EnvError(step, `not ready after ${opts.timeoutMs / 1000}s`, opts.daemon ? `read ${opts.daemon.log}` : undefined);
    }
    await sleep(100);
  }
}

/** Run a command to completion; throw an EnvError naming the step on failure. */
export function run(step: string, cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): string {
  const res = spawnSync(cmd, [...args], { env: opts.env ?? process.env, cwd: opts.cwd, input: opts.input, encoding: "utf8" });
  if (res.error) throw new EnvError(step, `could not run ${cmd}: ${res.error.message}`);
  if (res.status !== 0) throw new EnvError(step, `${cmd} ${args.join(" ")} exited ${res.status}: ${res.stderr.trim().slice(-800)}`);
  return res.stdout;
}
