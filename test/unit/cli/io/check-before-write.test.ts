/**
 * Issue 7, class 7: commands that write several files check every target
 * before writing anything, and their files land all together or not at
 * all. `keygen sealed` through the real CLI; the rollback of a write that
 * fails after its checks through the writer itself.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { writeOutputFiles } from "../../../../src/cli/shared/index.js";
import { isSigilError } from "../../../../src/core/index.js";
import { runSigil, scratchDir, sigilEnv } from "../../../support/sigil-process.js";

const env = sigilEnv();
const KEYGEN = ["keygen", "sealed", "--key-size", "2048"];

interface Case {
  readonly reason: string;
  readonly existing: Record<string, string>;
  readonly args: readonly string[];
  readonly code: string;
  readonly status: number;
}

const cases: Case[] = [
  { reason: "an existing tls.key", existing: { "tls.key": "old key\n" }, args: [], code: "output.exists", status: 1 },
  { reason: "an existing tls.crt", existing: { "tls.crt": "old cert\n" }, args: [], code: "output.exists", status: 1 },
  { reason: "an existing --secret-out", existing: { "key.yaml": "old secret\n" }, args: ["--secret-out", "key.yaml"], code: "output.exists", status: 1 },
  { reason: "--cert-out and --key-out naming the same file", existing: {}, args: ["--cert-out", "same.pem", "--key-out", "same.pem"], code: "input.conflicting_flags", status: 8 },
  { reason: "--key-out onto a FIFO", existing: {}, args: ["--key-out", "fifo"], code: "output.unsafe_target", status: 3 },
  { reason: "--secret-out in a missing directory", existing: {}, args: ["--secret-out", "missing/key.yaml"], code: "output.write_failed", status: 3 },
];

describe("keygen sealed checks every target before writing any", () => {
  for (const c of cases) {
    it(`${c.reason}: ${c.code}, exit ${c.status}, no file written or changed`, async () => {
      const dir = scratchDir();
      for (const [name, text] of Object.entries(c.existing)) writeFileSync(join(dir, name), text);
      if (c.args.includes("fifo")) execFileSync("mkfifo", [join(dir, "fifo")]);
      const before = readdirSync(dir).sort();
      const r = await runSigil([...KEYGEN, ...c.args], { cwd: dir, env });
      expect(r.stderr).toContain(`[${c.code}]`);
      expect(r.code).toBe(c.status);
      expect(readdirSync(dir).sort()).toEqual(before);
      for (const [name, text] of Object.entries(c.existing)) expect(readFileSync(join(dir, name), "utf8")).toBe(text);
    });
  }

  it("with --force replaces all three files together", async () => {
    const dir = scratchDir();
    for (const f of ["tls.crt", "tls.key", "key.yaml"]) writeFileSync(join(dir, f), "old\n");
    const r = await runSigil([...KEYGEN, "--secret-out", "key.yaml", "--force"], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["key.yaml", "tls.crt", "tls.key"]);
    const cert = readFileSync(join(dir, "tls.crt"), "utf8");
    expect(cert).toContain("BEGIN CERTIFICATE");
    expect(readFileSync(join(dir, "key.yaml"), "utf8")).toContain(Buffer.from(cert).toString("base64").slice(0, 40));
  });

  it("keygen age -o onto an existing file: output.exists, the file unchanged", async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, "age.txt"), "mine\n");
    const r = await runSigil(["keygen", "age", "-o", "age.txt"], { cwd: dir, env });
    expect(r.stderr).toContain("refusing to overwrite an existing file (pass --force) [output.exists]");
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, "age.txt"), "utf8")).toBe("mine\n");
  });
});

describe("a multi-file write lands whole or not at all", () => {
  it("when a later rename fails, the files already renamed are put back as they were", async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, "one"), "old one\n");
    const write = writeOutputFiles(
      [
        { path: join(dir, "one"), content: "new one\n" },
        { path: join(dir, "two"), content: "new two\n" },
        { path: join(dir, "three"), content: "new three\n" },
      ],
      { pauseBeforeRenameMs: 300 },
    );
    // While the writer waits before its renames, something takes the third name.
    await sleep(100);
    mkdirSync(join(dir, "three"));
    writeFileSync(join(dir, "three", "x"), "x");
    const err: unknown = await write.then(() => undefined, (e: unknown) => e);
    expect(isSigilError(err, "output.write_failed")).toBe(true);
    expect(readFileSync(join(dir, "one"), "utf8")).toBe("old one\n");
    expect(existsSync(join(dir, "two"))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["one", "three"]);
  });

  it("an exclusive file that appears during the write is never clobbered", async () => {
    const dir = scratchDir();
    const write = writeOutputFiles([{ path: join(dir, "a"), content: "new\n", exclusive: true }], { pauseBeforeRenameMs: 300 });
    await sleep(100);
    writeFileSync(join(dir, "a"), "theirs\n");
    const err: unknown = await write.then(() => undefined, (e: unknown) => e);
    expect(isSigilError(err, "output.exists")).toBe(true);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("theirs\n");
    expect(readdirSync(dir)).toEqual(["a"]);
  });
});
