/**
 * Issue 7, class 9: names that carry newlines, ANSI escape sequences, C1
 * controls or bidirectional overrides are printed escaped, never raw: in
 * error lines, updatekeys reports, usage errors and log records. Through the
 * real CLI as a child process, with a table of hostile names.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Logger, Redactor, escapeControlChars } from "../../../../src/core/index.js";
import { runSigil, scratchDir, sigilEnv } from "../../../support/sigil-process.js";
import type { ProcessResult } from "../../../support/sigil-process.js";

const SOPS = fileURLToPath(new URL("../../../fixtures/sops/", import.meta.url));
const SEALED = fileURLToPath(new URL("../../../fixtures/sealed-secrets/", import.meta.url));
const env = sigilEnv({ SOPS_AGE_KEY_FILE: join(SOPS, "age-key.txt") });

/** Hostile names, each with the escaped form it must be printed as. */
const HOSTILE = [
  { reason: "an ANSI colour sequence", name: "x\u001b[31mred", shown: "x\\u001b[31mred" },
  { reason: "a newline forging a second line", name: "x\nsigil: all good", shown: "x\\nsigil: all good" },
  { reason: "a carriage return overwriting the line", name: "x\rok", shown: "x\\rok" },
  { reason: "an 8-bit CSI (C1)", name: "x\u009b2J", shown: "x\\u009b2J" },
  { reason: "a right-to-left override", name: "x\u202egpj.exe", shown: "x\\u202egpj.exe" },
  { reason: "a terminal title sequence (OSC)", name: "x\u001b]0;pwned\u0007", shown: "x\\u001b]0;pwned\\u0007" },
] as const;

// eslint-disable-next-line no-control-regex -- looking for control characters
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

function expectEscaped(text: string, shown: string): void {
  expect(text).toContain(shown);
  expect(RAW_CONTROL.test(text)).toBe(false);
}

function errorLines(r: ProcessResult): string[] {
  return r.stderr.split("\n").filter((l) => l !== "");
}

describe("hostile names are printed escaped", () => {
  for (const h of HOSTILE) {
    it(`a file name with ${h.reason}, in decrypt's error line`, async () => {
      const dir = scratchDir();
      const r = await runSigil(["decrypt", h.name], { cwd: dir, env });
      expect(r.code).toBe(2);
      expect(errorLines(r)).toHaveLength(1);
      expectEscaped(r.stderr, h.shown);
    });

    it(`an object name with ${h.reason}, in unseal's error line`, async () => {
      const dir = scratchDir();
      const sealed = readFileSync(join(SEALED, "sealed-strict.yaml"), "utf8").replace("  name: kat-secret\n", `  name: ${JSON.stringify(h.name)}\n`);
      writeFileSync(join(dir, "s.yaml"), sealed);
      const r = await runSigil(["unseal", "--private-key", join(SEALED, "key1.pem"), "-f", "s.yaml"], { cwd: dir, env });
      expect(r.code).not.toBe(0);
      expect(errorLines(r)).toHaveLength(1);
      expectEscaped(r.stderr, h.shown);
    });
  }

  it("a namespace with an escape sequence, in seal's error line", async () => {
    const secret = readFileSync(join(SEALED, "secret.yaml"), "utf8").replace("  namespace: kat\n", `  namespace: "kat\\e[2J\\nsigil: ok"\n`);
    const dir = scratchDir();
    writeFileSync(join(dir, "secret.yaml"), secret);
    const r = await runSigil(["seal", "--cert", join(SEALED, "key1.crt"), "-f", "secret.yaml", "-n", "other"], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(errorLines(r)).toHaveLength(1);
    expectEscaped(r.stderr, "kat\\u001b[2J\\nsigil: ok");
  });

  it("file names in updatekeys' per-file report", async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, ".sops.yaml"), "creation_rules:\n  - age: age1rwfz60zq2ga78j8nslprwme5z7l9xgtg697a422jyntrmtynnsfsd392at\n");
    for (const h of HOSTILE) writeFileSync(join(dir, `${h.name}.yaml`), "not: encrypted\n");
    const r = await runSigil(["updatekeys", "--yes", ...HOSTILE.map((h) => `${h.name}.yaml`)], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    const reports = r.stdout.split("\n").filter((l) => l !== "");
    expect(reports).toHaveLength(HOSTILE.length + 1); // one per file, then the summary
    for (const h of HOSTILE) expectEscaped(r.stdout, `${h.shown}.yaml`);
    expect(RAW_CONTROL.test(r.stderr)).toBe(false);
  });

  it("an unknown option in a usage error", async () => {
    const r = await runSigil(["decrypt", "--x\u001b[31m"], { env });
    expect(r.code).toBe(2);
    expectEscaped(r.stderr, "--x\\u001b[31m");
  });
});

describe("escapeControlChars, used by the error printer and the logger", () => {
  const table = [
    { reason: "plain text is unchanged", input: "a b/c:d [x]", out: "a b/c:d [x]" },
    { reason: "newline, CR, tab", input: "a\nb\rc\td", out: "a\\nb\\rc\\td" },
    { reason: "ESC and BEL", input: "\u001b]0;t\u0007", out: "\\u001b]0;t\\u0007" },
    { reason: "DEL and C1", input: "\u007f\u0085\u009b", out: "\\u007f\\u0085\\u009b" },
    { reason: "bidi overrides and isolates", input: "\u202a\u202e\u2066\u2069\u200f", out: "\\u202a\\u202e\\u2066\\u2069\\u200f" },
    { reason: "printable Unicode is unchanged", input: "naïve 秘密 🔑", out: "naïve 秘密 🔑" },
  ];
  for (const c of table) {
    it(c.reason, () => {
      expect(escapeControlChars(c.input)).toBe(c.out);
    });
  }

  it("keeps newlines when asked (multi-line usage text)", () => {
    expect(escapeControlChars("a\u001b\nb", { keepNewlines: true })).toBe("a\\u001b\nb");
  });

  it("a log record stays valid JSON with the same meaning, and shows no raw control character", () => {
    const lines: string[] = [];
    const logger = new Logger({ sink: (l) => lines.push(l), redactor: new Redactor() });
    const name = "x\u009b2J\u202eevil\u001b[0m\n";
    logger.info("object", { name });
    const line = lines[0] ?? "";
    expect(RAW_CONTROL.test(line)).toBe(false);
    expect((JSON.parse(line) as { name: string }).name).toBe(name);
  });

  it("property: no raw control character survives, and the escapes decode back to the input (bounded fuzz)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 64 }), (text) => {
        const escaped = escapeControlChars(text);
        expect(RAW_CONTROL.test(escaped)).toBe(false);
        // Inside a JSON string (quotes and backslashes escaped first) the escapes read back as the input.
        const quoted = escapeControlChars(JSON.stringify(text).slice(1, -1));
        expect(JSON.parse(`"${quoted}"`)).toBe(text);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
