/**
 * The test environment's prerequisites are checked before anything is built
 * or started, and everything missing is named in one message with the
 * command that installs it. A table over a fake probe, and the real
 * `npm run env` entry point as a child process on a PATH without the tools.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MIN_GO, SSHD_PATH, describeMissing, findMissing, goVersionOf } from "../../env/prereqs.js";
import type { Probe } from "../../env/prereqs.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const ALL = ["git", "openssl", "ssh-keygen", "ssh", "bash", "go", "python3"];

function probe(options: { absent?: string[]; go?: string; venv?: boolean; files?: string[] } = {}): Probe {
  const absent = new Set(options.absent ?? []);
  const files = new Set(options.files ?? [SSHD_PATH, "/etc/ssl/certs/ca-certificates.crt"]);
  return {
    which: (cmd) => (ALL.includes(cmd) && !absent.has(cmd) ? `/usr/bin/${cmd}` : undefined),
    run: (cmd, args) => {
      if (cmd === "go") return { status: 0, stdout: `go version go${options.go ?? "1.26.8"} linux/amd64\n` };
      if (cmd === "python3" && args.join(" ").includes("ensurepip")) return { status: options.venv === false ? 1 : 0, stdout: "" };
      return undefined;
    },
    exists: (p) => files.has(p),
  };
}

describe("prerequisites", () => {
  const cases = [
    { reason: "everything present", p: probe(), needBuild: true, names: [] as string[], packages: [] as string[] },
    { reason: "no sshd (openssh-server)", p: probe({ files: ["/etc/ssl/certs/ca-certificates.crt"] }), needBuild: true, names: ["sshd"], packages: ["openssh-server"] },
    { reason: "a Go older than the minimum", p: probe({ go: "1.22.5" }), needBuild: true, names: ["go"], packages: [] },
    { reason: "Go 1.26.1, one patch too old", p: probe({ go: "1.26.1" }), needBuild: true, names: ["go"], packages: [] },
    { reason: "Go 1.27 (newer minor)", p: probe({ go: "1.27" }), needBuild: true, names: [], packages: [] },
    { reason: "no Go, but every peer already built", p: probe({ absent: ["go", "python3"] }), needBuild: false, names: [], packages: [] },
    { reason: "python3 without venv/ensurepip", p: probe({ venv: false }), needBuild: true, names: ["python3 venv"], packages: ["python3-venv"] },
    {
      reason: "a bare machine",
      p: probe({ absent: ALL, files: [] }),
      needBuild: true,
      names: ["git", "openssl", "ssh-keygen", "ssh", "bash", "sshd", "go", "python3", "CA certificates"],
      packages: ["git", "openssl", "openssh-client", "bash", "openssh-server", "python3-venv", "ca-certificates"],
    },
  ];
  for (const c of cases) {
    it(`${c.reason}: ${c.names.length === 0 ? "nothing missing" : c.names.join(", ")}`, () => {
      const missing = findMissing({ needBuild: c.needBuild, probe: c.p });
      expect(missing.map((m) => m.name)).toEqual(c.names);
      if (missing.length === 0) return;
      const message = describeMissing(missing);
      for (const name of c.names) expect(message).toContain(`  - ${name}: `);
      const apt = message.split("\n").filter((l) => l.startsWith("install with: "));
      if (c.packages.length === 0) expect(apt).toEqual([]);
      else expect(apt).toEqual([`install with: sudo apt-get update && sudo apt-get install -y ${c.packages.join(" ")}`]);
      if (c.names.includes("go")) expect(message).toContain(`Go ${MIN_GO} or newer from https://go.dev/dl/`);
    });
  }

  it("reads go version output", () => {
    expect(goVersionOf("go version go1.26.8 linux/amd64")).toEqual([1, 26, 8]);
    expect(goVersionOf("go version go1.27 linux/amd64")).toEqual([1, 27, 0]);
    expect(goVersionOf("bash: go: command not found")).toBeUndefined();
  });

  it("`npm run env -- up` on a machine without the tools stops at once with one message naming all of them, and starts nothing", () => {
    const envDir = mkdtempSync(join(tmpdir(), "env-cli-io-"));
    const cache = mkdtempSync(join(tmpdir(), "env-cli-io-cache-"));
    try {
      // Only Node on PATH: no git, openssl, ssh, bash, go or python3.
      const r = spawnSync(process.execPath, ["--import", "tsx", "test/env/cli.ts", "up"], {
        cwd: REPO,
        encoding: "utf8",
        env: { PATH: dirname(process.execPath), HOME: cache, XDG_CACHE_HOME: cache, SIGIL_ENV_DIR: envDir },
        timeout: 60_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(/building|\[step\]/);
      expect(r.stderr).toMatch(/^\[env\] prerequisites: the test environment cannot start: \d+ prerequisite\(s\) missing$/m);
      for (const name of ["git", "openssl", "ssh-keygen", "ssh", "bash", "go", "python3"]) expect(r.stderr).toContain(`  - ${name}: `);
      expect(r.stderr).toMatch(/install with: sudo apt-get update && sudo apt-get install -y git openssl openssh-client bash/);
      expect(existsSync(join(envDir, "processes.json"))).toBe(false);
      expect(existsSync(join(envDir, "state.json"))).toBe(false);
    } finally {
      rmSync(envDir, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
