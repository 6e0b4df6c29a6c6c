import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Logger, SigilError, registerSecret } from "../../../src/core/index.js";
import { runCli, sigilVersion } from "../../../src/cli/index.js";
import type { CliContext, CommandModule } from "../../../src/cli/index.js";

function ctx(): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    ctx: {
      stdin: new PassThrough(),
      stdout: { write: (s: string | Uint8Array) => out.push(String(s)) },
      stderr: { write: (s: string | Uint8Array) => err.push(String(s)) },
      env: {},
      cwd: process.cwd(),
      logger: new Logger({ sink: () => undefined }),
    },
  };
}

describe("sigil CLI skeleton", () => {
  it("prints the package version", async () => {
    const c = ctx();
    expect(await runCli(["--version"], c.ctx)).toBe(0);
    expect(c.out.join("")).toBe(`${sigilVersion()}\n`);
  });

  it("lists registered commands in --help", async () => {
    const hello: CommandModule = {
      name: "hello",
      register(program) {
        program.command("hello").description("say hello").action(() => undefined);
      },
    };
    const c = ctx();
    expect(await runCli(["--help"], c.ctx, [hello])).toBe(0);
    expect(c.out.join("")).toMatch(/hello\s+say hello/);
  });

  it("exits 2 on an unknown command", async () => {
    const c = ctx();
    expect(await runCli(["no-such-command"], c.ctx)).toBe(2);
  });

  it("prints a failing command's error with its code, redacted, and maps the exit status", async () => {
    registerSecret("canary-cli-5d1e");
    const boom: CommandModule = {
      name: "boom",
      register(program) {
        program.command("boom").action(() => {
          throw new SigilError("decrypt.mac_mismatch", "mac of canary-cli-5d1e differs", { subject: "a.yaml" });
        });
      },
    };
    const c = ctx();
    expect(await runCli(["boom"], c.ctx, [boom])).toBe(51); // sops: MacMismatch
    expect(c.err.join("")).toBe("sigil: a.yaml: mac of [REDACTED] differs [decrypt.mac_mismatch]\n");
  });
});
