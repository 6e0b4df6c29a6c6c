/**
 * The sops CLI details that go through `.sops.yaml`, checked against the
 * real sops 3.13.2: a single-group `shamir_threshold`, `--encryption-context`
 * with flat `kms` keys from a creation rule, the stores' indentation, and a
 * rule naming keys Sigil cannot use.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import { Logger } from "../../../src/core/index.js";
import { runCli } from "../../../src/cli/index.js";
import type { CliContext } from "../../../src/cli/index.js";
import { describePeers, peerBin, peers } from "../../support/peers.js";
import { peerKeyEnv } from "../../support/sops-peer.js";

const C = { dir: "", recipient: "", kmsArn: "", env: {} as Record<string, string> };

function sops(args: string[], env: Record<string, string> = {}): Buffer {
  return execFileSync(peerBin("sops"), args, { cwd: C.dir, env: { PATH: process.env["PATH"] ?? "", ...C.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

async function sigil(args: string[]): Promise<{ code: number; out: Buffer; err: string }> {
  const out: Buffer[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdin: new PassThrough(),
    stdout: { write: (s: string | Uint8Array) => out.push(Buffer.from(s)) },
    stderr: { write: (s: string | Uint8Array) => err.push(Buffer.from(s).toString()) },
    env: C.env,
    cwd: C.dir,
    logger: new Logger({ sink: () => undefined }),
  };
  const code = await runCli(args, ctx);
  return { code, out: Buffer.concat(out), err: err.join("") };
}

async function sigilOk(args: string[]): Promise<Buffer> {
  const r = await sigil(args);
  if (r.code !== 0) throw new Error(`sigil ${args.join(" ")} exited ${r.code}: ${r.err}`);
  return r.out;
}

function file(name: string, content: string | Buffer): string {
  writeFileSync(join(C.dir, name), content);
  return name;
}

type Meta = Record<string, unknown> & { kms?: Record<string, unknown>[] };

function meta(encrypted: Buffer): Meta {
  return (parse(encrypted.toString()) as { sops: Meta }).sops;
}

describePeers("sops CLI parity through .sops.yaml (real sops 3.13.2)", () => {
  beforeAll(() => {
    const p = peers();
    C.dir = mkdtempSync(join(tmpdir(), "sigil-sops-cli-parity-"));
    const keygen = execFileSync(peerBin("age-keygen"), [], { encoding: "utf8" });
    writeFileSync(join(C.dir, "keys.txt"), keygen);
    C.recipient = /public key: (age1[0-9a-z]+)/.exec(keygen)?.[1] ?? "";
    C.kmsArn = p.kms.keyArns[0] ?? "";
    C.env = {
      HOME: C.dir,
      SOPS_DISABLE_VERSION_CHECK: "1",
      SOPS_AGE_KEY_FILE: join(C.dir, "keys.txt"),
      ...peerKeyEnv(),
    };
  });

  it.each([
    { reason: "set by the creation rule", rule: "    shamir_threshold: 3\n", flags: [] as string[] },
    { reason: "set by the flag", rule: "", flags: ["--shamir-secret-sharing-threshold", "2"] },
    { reason: "not set at all (no key written)", rule: "", flags: [] as string[] },
  ])("a single-group shamir_threshold $reason is written as sops writes it, and each tool decrypts the other's file", async ({ rule, flags }) => {
    file(".sops.yaml", `creation_rules:\n  - age: ${C.recipient}\n${rule}`);
    const plain = file("shamir.yaml", "a: secret\n");
    const bySops = sops(["encrypt", ...flags, plain]);
    const bySigil = await sigilOk(["encrypt", ...flags, plain]);
    expect(meta(bySigil)["shamir_threshold"]).toBe(meta(bySops)["shamir_threshold"]);
    expect(sops(["decrypt", file("shamir-sigil.yaml", bySigil)]).toString()).toBe("a: secret\n");
    expect((await sigilOk(["decrypt", file("shamir-sops.yaml", bySops)])).toString()).toBe("a: secret\n");
  });

  it("--encryption-context applies to flat kms keys from .sops.yaml, as `sops -e` does (`sops encrypt` does not: documented)", async () => {
    file(".sops.yaml", `creation_rules:\n  - kms: ${C.kmsArn}\n`);
    const plain = file("ctx.yaml", "password: hunter2\n");
    const legacy = sops(["-e", "--encryption-context", "app:sigil,env:test", plain]);
    const subcommand = sops(["encrypt", "--encryption-context", "app:sigil,env:test", plain]);
    const bySigil = await sigilOk(["encrypt", "--encryption-context", "app:sigil,env:test", plain]);
    expect(meta(bySigil).kms?.[0]?.["context"]).toEqual({ app: "sigil", env: "test" });
    expect(meta(bySigil).kms?.[0]?.["context"]).toEqual(meta(legacy).kms?.[0]?.["context"]);
    expect(meta(subcommand).kms?.[0]?.["context"]).toBeUndefined();
    expect(sops(["decrypt", file("ctx-sigil.yaml", bySigil)]).toString()).toBe("password: hunter2\n");
  });

  it("the stores' indentation from .sops.yaml: sigil encrypts, decrypts and rotates with the bytes sops uses", async () => {
    file(".sops.yaml", `stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 3\ncreation_rules:\n  - age: ${C.recipient}\n`);
    for (const [name, content] of [["ind.yaml", "a:\n  b:\n    - 1\n    - x\n"], ["ind.json", '{"a": {"b": [1, "x"]}}']] as const) {
      const plain = file(name, content);
      const bySops = file(`sops-${name}`, sops(["encrypt", plain]));
      const expected = sops(["decrypt", bySops]).toString();
      expect((await sigilOk(["decrypt", bySops])).toString()).toBe(expected);
      const bySigil = file(`sigil-${name}`, await sigilOk(["encrypt", plain]));
      expect(sops(["decrypt", bySigil]).toString()).toBe(expected);
      const rotated = file(`rot-${name}`, await sigilOk(["rotate", bySops]));
      expect(sops(["decrypt", rotated]).toString()).toBe(expected);
      const sopsLines = sops(["encrypt", plain]).toString().split("\n").map((l) => /^\s*/.exec(l)?.[0].length);
      const sigilLines = (await sigilOk(["encrypt", plain])).toString().split("\n").map((l) => /^\s*/.exec(l)?.[0].length);
      expect(sigilLines).toEqual(sopsLines);
    }
  });

  it("a rule naming a PGP key: sops would use it, sigil refuses and names it (exit 111)", async () => {
    file(".sops.yaml", `creation_rules:\n  - age: ${C.recipient}\n    pgp: 85D77543B3D624B63CEA9E6DBC17301B491B3F21\n`);
    const r = await sigil(["encrypt", file("pgp.yaml", "a: 1\n")]);
    expect(r.code).toBe(111);
    expect(r.err).toContain("pgp:85D77543B3D624B63CEA9E6DBC17301B491B3F21");
  });
});
