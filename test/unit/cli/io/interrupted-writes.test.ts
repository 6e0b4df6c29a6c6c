/**
 * Issue 7, class 5: no plaintext is left behind when a write is
 * interrupted. The real CLI runs as a child process with the test hook
 * SIGIL_TEST_WRITE_PAUSE_MS, which holds every write after its temporary
 * files are written and before they are renamed; the test signals it there.
 */
import type { ChildProcess } from "node:child_process";
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { collect, scratchDir, sigilEnv, spawnSigil } from "../../../support/sigil-process.js";

const SOPS = fileURLToPath(new URL("../../../fixtures/sops/", import.meta.url));
const SEALED = fileURLToPath(new URL("../../../fixtures/sealed-secrets/", import.meta.url));
const ENCRYPTED = readFileSync(join(SOPS, "comments.sops.yaml"), "utf8");
const env = sigilEnv({ SOPS_AGE_KEY_FILE: join(SOPS, "age-key.txt"), SIGIL_TEST_WRITE_PAUSE_MS: "60000" });

function temps(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes(".sigil-"));
}

/** Wait until the child has its temporary file(s) in `dir` (it is then paused before the rename). */
async function pausedWithTemp(child: ChildProcess, dir: string, count = 1): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the CLI exited (${String(child.exitCode)}) before writing`);
    if (temps(dir).length >= count) return;
    await sleep(50);
  }
  throw new Error("no temporary file appeared");
}

const commands = [
  { reason: "decrypt -i", args: ["decrypt", "-i", "enc.yaml"], temps: 1 },
  { reason: "decrypt --output", args: ["decrypt", "enc.yaml", "--output", "plain.yaml"], temps: 1 },
  { reason: "unseal -w", args: ["unseal", "--private-key", join(SEALED, "key1.pem"), "-f", join(SEALED, "sealed-strict.yaml"), "-w", "plain.json"], temps: 1 },
  { reason: "keygen sealed (three files)", args: ["keygen", "sealed", "--key-size", "2048", "--secret-out", "key.yaml"], temps: 3 },
];

const signals = [
  { signal: "SIGINT", status: 130 },
  { signal: "SIGTERM", status: 143 },
  { signal: "SIGHUP", status: 129 },
] as const;

describe("interrupted writes leave nothing behind", () => {
  for (const c of commands) {
    for (const s of signals) {
      it(`${c.reason} interrupted by ${s.signal}: temporary files removed, exit ${s.status}, the target untouched`, async () => {
        const dir = scratchDir();
        writeFileSync(join(dir, "enc.yaml"), ENCRYPTED);
        chmodSync(join(dir, "enc.yaml"), 0o644);
        const child = spawnSigil(c.args, { cwd: dir, env });
        const done = collect(child);
        await pausedWithTemp(child, dir, c.temps);
        for (const t of temps(dir)) expect(statSync(join(dir, t)).mode & 0o777).toBe(0o600);
        child.kill(s.signal);
        const r = await done;
        expect(r.stderr).not.toMatch(/ at |node:internal/);
        expect(r.code).toBe(s.status);
        expect(temps(dir)).toEqual([]);
        expect(readdirSync(dir)).toEqual(["enc.yaml"]);
        expect(readFileSync(join(dir, "enc.yaml"), "utf8")).toBe(ENCRYPTED);
      });
    }
  }

  it("a SIGKILL can leave only a 0600 temporary file, and the target untouched", async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, "enc.yaml"), ENCRYPTED, { mode: 0o644 });
    const child = spawnSigil(["decrypt", "-i", "enc.yaml"], { cwd: dir, env });
    const done = collect(child);
    await pausedWithTemp(child, dir);
    child.kill("SIGKILL");
    const r = await done;
    expect(r.signal).toBe("SIGKILL");
    const left = temps(dir);
    expect(left).toHaveLength(1);
    expect(statSync(join(dir, left[0] ?? "")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "enc.yaml"), "utf8")).toBe(ENCRYPTED);
  });

  it("without the pause, the same write completes and leaves no temporary file", async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, "enc.yaml"), ENCRYPTED);
    const r = await collect(spawnSigil(["decrypt", "-i", "enc.yaml"], { cwd: dir, env: { ...env, SIGIL_TEST_WRITE_PAUSE_MS: "0" } }));
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual(["enc.yaml"]);
  });
});
