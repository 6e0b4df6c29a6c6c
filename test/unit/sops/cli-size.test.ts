import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SigilError } from "../../../src/core/index.js";
import { SIGIL_SOPS_MAX_INPUT_BYTES_ENV, parseByteSize } from "../../../src/cli/commands/encrypt/index.js";
import { sigil, tempDir } from "./cli-support.js";
import { AGE_RECIPIENT, fixture } from "./helpers.js";
import { canary, expectNoLeak } from "../../support/canary.js";

const MiB = 1024 * 1024;
const CANARY = canary("size");

describe("parseByteSize", () => {
  it.each([
    { reason: "plain bytes", text: "5000000", want: 5_000_000 },
    { reason: "binary units", text: "10MiB", want: 10 * MiB },
    { reason: "lower case and a space", text: "512 kib", want: 512 * 1024 },
    { reason: "decimal units", text: "10MB", want: 10_000_000 },
    { reason: "an explicit B", text: "100B", want: 100 },
    { reason: "gibibytes", text: "1GiB", want: 1024 * MiB },
  ])("reads $text ($reason)", ({ text, want }) => {
    expect(parseByteSize(text, "--max-input-size")).toBe(want);
  });

  it.each([
    { reason: "zero would refuse everything", text: "0" },
    { reason: "a negative number", text: "-5" },
    { reason: "an unknown unit", text: "10 parsecs" },
    { reason: "a fraction", text: "1.5MiB" },
    { reason: "no number", text: "MiB" },
    { reason: "more than 2^53 bytes", text: "99999999999GiB" },
  ])("refuses $text with input.invalid naming the source ($reason)", ({ text }) => {
    let err: unknown;
    try {
      parseByteSize(text, "--max-input-size");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SigilError);
    expect((err as SigilError).code).toBe("input.invalid");
    expect((err as SigilError).subject).toBe("--max-input-size");
  });
});

/** A YAML file of about `size` bytes whose one value is the canary, padded. */
function bigPlain(size: number): string {
  return `secret: ${CANARY.value}\npad: ${"x".repeat(size)}\n`;
}

function expectTooLarge(r: { code: number; err: string; out: string }, file: string, limit: number): void {
  expect(r.code).toBe(1);
  expect(r.err).toContain(file);
  expect(r.err).toContain(`the limit of ${limit} bytes`);
  expect(r.err).toContain("[input.too_large]");
  expectNoLeak({ stderr: r.err }, CANARY);
  expect(r.out).toBe("");
}

describe("--max-input-size and SIGIL_SOPS_MAX_INPUT_BYTES", () => {
  it("refuses a file over 5 MiB by default, naming the file and the limit, and accepts it with the limit raised", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "big.yaml"), bigPlain(5 * MiB));
    expectTooLarge(await sigil(["encrypt", "--age", AGE_RECIPIENT, "big.yaml"], dir), "big.yaml", 5 * MiB);
    const enc = await sigil(["encrypt", "--age", AGE_RECIPIENT, "--max-input-size", "10MiB", "--output", "big.enc.yaml", "big.yaml"], dir);
    expect(enc.code).toBe(0);
    // decrypt's default (20 MiB, 4x encrypt's) reads it; a lowered limit applies to the encrypted size
    expectTooLarge(await sigil(["decrypt", "big.enc.yaml"], dir, { [SIGIL_SOPS_MAX_INPUT_BYTES_ENV]: "5MiB" }), "big.enc.yaml", 5 * MiB);
    const dec = await sigil(["decrypt", "big.enc.yaml"], dir);
    expect(dec.code).toBe(0);
    expect(dec.out).toBe(readFileSync(join(dir, "big.yaml"), "latin1"));
  });

  it.each([
    { reason: "decrypt", args: ["decrypt"] },
    { reason: "rotate", args: ["rotate"] },
    { reason: "decrypt --in-place (the file stays as it was)", args: ["decrypt", "-i"] },
  ])("applies a lowered limit to $reason", async ({ args }) => {
    const dir = tempDir();
    writeFileSync(join(dir, "e.yaml"), fixture("types.sops.yaml"));
    const size = fixture("types.sops.yaml").length;
    expectTooLarge(await sigil([...args, "--max-input-size", "1KiB", "e.yaml"], dir), "e.yaml", 1024);
    expect(readFileSync(join(dir, "e.yaml"))).toEqual(fixture("types.sops.yaml"));
    expect((await sigil([...args, "--max-input-size", String(size), "e.yaml"], dir)).code).toBe(0);
  });

  it("lets the flag win over the environment variable", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "e.yaml"), fixture("types.sops.yaml"));
    const env = { [SIGIL_SOPS_MAX_INPUT_BYTES_ENV]: "100" };
    expectTooLarge(await sigil(["decrypt", "e.yaml"], dir, env), "e.yaml", 100);
    expect((await sigil(["decrypt", "--max-input-size", "1MiB", "e.yaml"], dir, env)).code).toBe(0);
  });

  it("bounds stdin as well", async () => {
    const dir = tempDir();
    const r = await sigil(["encrypt", "--age", AGE_RECIPIENT, "--max-input-size", "100"], dir, {}, bigPlain(200));
    expectTooLarge(r, "stdin", 100);
  });

  it("reports an updatekeys file over the limit as failed and leaves it alone", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - age: ${AGE_RECIPIENT},age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n`);
    writeFileSync(join(dir, "e.yaml"), fixture("types.sops.yaml"));
    for (const target of ["e.yaml", "."]) {
      const r = await sigil(["updatekeys", "-y", "--max-input-size", "1KiB", target], dir);
      expect(r.code).toBe(1);
      expect(r.out).toContain("e.yaml: failed (the input is");
      expect(r.out).toContain("the limit of 1024 bytes");
      expect(readFileSync(join(dir, "e.yaml"))).toEqual(fixture("types.sops.yaml"));
    }
    expect((await sigil(["updatekeys", "-y", "--max-input-size", "1MiB", "."], dir)).out).toContain("e.yaml: updated");
  });

  it("refuses an unreadable size with input.invalid naming where it came from", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "e.yaml"), fixture("types.sops.yaml"));
    const flag = await sigil(["decrypt", "--max-input-size", "lots", "e.yaml"], dir);
    expect(flag.code).toBe(1);
    expect(flag.err).toContain("--max-input-size: invalid size 'lots'");
    const env = await sigil(["decrypt", "e.yaml"], dir, { [SIGIL_SOPS_MAX_INPUT_BYTES_ENV]: "lots" });
    expect(env.err).toContain(`${SIGIL_SOPS_MAX_INPUT_BYTES_ENV}: invalid size 'lots'`);
  });
});
