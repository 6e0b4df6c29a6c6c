// .sops.yaml configuration (creation rules) — see docs/sops-config.md
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { isSigilError } from "../../../../src/core/index.js";
import { compileRe2 } from "../../../../src/decrypt/sops/config/index.js";

interface Vector {
  readonly pattern: string;
  readonly valid: boolean;
  readonly error?: string;
  readonly matches?: Readonly<Record<string, boolean>>;
}

const vectors = JSON.parse(readFileSync(new URL("re2-vectors/vectors.json", import.meta.url), "utf8")) as Vector[];

/**
 * Go accepts these; re2js refuses them (pinned so that a change in either is noticed).
 * Go 1.26 allows a group name to repeat; RE2 and re2js do not. A repeated name changes nothing a match can see.
 */
const KNOWN_DIFFERENCES: readonly { pattern: string; reason: string }[] = [
  { pattern: "(?P<n>a)(?P<n>b)", reason: "a repeated capture-group name" },
];

function rejection(pattern: string): string {
  try {
    compileRe2(pattern, { subject: "/repo/.sops.yaml", field: "creation_rules[0].path_regex" });
  } catch (err) {
    expect(isSigilError(err, "config.invalid")).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`expected ${pattern} to be rejected`);
}

describe("Go RE2 patterns against the real Go regexp package (re2-vectors/vectors.json)", () => {
  it("has a corpus with both valid and invalid patterns", () => {
    expect(vectors.filter((v) => v.valid).length).toBeGreaterThan(150);
    expect(vectors.filter((v) => !v.valid).length).toBeGreaterThan(30);
  });

  it.each(vectors.filter((v) => !v.valid))("rejects $pattern, which Go rejects too", (v) => {
    expect(rejection(v.pattern)).toContain(JSON.stringify(v.pattern));
  });

  const valid = vectors.filter((v) => v.valid && !KNOWN_DIFFERENCES.some((u) => u.pattern === v.pattern));
  it.each(valid)("matches exactly the inputs Go matches for $pattern", (v) => {
    const re = compileRe2(v.pattern);
    const differences = Object.entries(v.matches ?? {})
      .filter(([input, goMatches]) => re.test(input) !== goMatches)
      .map(([input, goMatches]) => `${JSON.stringify(input)}: go ${goMatches}`);
    expect(differences).toEqual([]);
  });

  it.each(KNOWN_DIFFERENCES)("refuses $pattern, which Go accepts: $reason", ({ pattern }) => {
    expect(vectors.find((v) => v.pattern === pattern)?.valid).toBe(true);
    expect(rejection(pattern)).toContain("duplicate capture group name");
  });
});

describe("RE2 patterns (re2js)", () => {
  const forms = [
    { pattern: "(?i:a)b", yes: ["Ab"], no: ["AB"], reason: "a case-insensitive group covers only the group" },
    { pattern: "a(?i)b", yes: ["aB"], no: ["AB"], reason: "(?i) after the start applies from there on" },
    { pattern: "a.b", yes: ["a\rb", "a\u2028b"], no: ["a\nb"], reason: "Go's . excludes only \\n" },
    { pattern: "(?m)^a$", yes: ["x\na\ny"], no: ["x\ra\ry"], reason: "Go's multi-line anchors see only \\n as a line end" },
    { pattern: "\\s", yes: [" ", "\t"], no: ["\v", "\u00a0"], reason: "Go's \\s is ASCII and has no \\v" },
    { pattern: "[[:^alpha:]_]", yes: ["1", "_"], no: ["a"], reason: "a negated POSIX class inside a larger class" },
    { pattern: "\\Q.*\\E", yes: [".*"], no: ["ab"], reason: "\\Q...\\E quotes literally" },
  ];
  it.each(forms)("matches $pattern as Go does: $reason", ({ pattern, yes, no }) => {
    const re = compileRe2(pattern);
    expect(yes.filter((s) => !re.test(s))).toEqual([]);
    expect(no.filter((s) => re.test(s))).toEqual([]);
  });

  const rejected = [
    { pattern: "(?=secret)", message: "invalid or unsupported Perl syntax", reason: "look-ahead is not RE2" },
    { pattern: "(?<!a)b", message: "invalid named capture", reason: "look-behind is not RE2" },
    { pattern: "(a)\\1", message: "invalid escape sequence", reason: "back-references are not RE2" },
    { pattern: "\\Z", message: "invalid escape sequence", reason: "\\Z is Perl, not RE2" },
    { pattern: "x{1001}", message: "invalid repeat count", reason: "Go limits repeat counts to 1000" },
    { pattern: `${"(".repeat(1001)}a${")".repeat(1001)}`, message: "nests too deeply", reason: "Go limits nesting to 1000" },
  ];
  it.each(rejected)("rejects $pattern naming the field and why: $reason", ({ pattern, message }) => {
    const text = rejection(pattern);
    expect(text).toContain("creation_rules[0].path_regex");
    expect(text).toContain(message);
  });

  it("puts the config path in the error's subject", () => {
    try {
      compileRe2("(?=x)", { subject: "/repo/.sops.yaml" });
      expect.unreachable();
    } catch (err) {
      expect(isSigilError(err) && err.subject).toBe("/repo/.sops.yaml");
    }
  });
});

describe("plain-name patterns (answered without loading re2js)", () => {
  const PATTERNS = ["^(data|stringData)$", "^data$", "data", "^data", "data$", "(a|b-c)", "^(x_1|y)", "(key|value)$", "^(a)$"];
  const INPUTS = ["", "data", "stringData", "stringDatax", "xdata", "data\n", "a", "b-c", "xb-cx", "x_1", "x_12", "y", "ykey", "key", "valuex", "DATA", "dat", "sdata"];

  it.each(PATTERNS)("%s gives Go RE2's answer for every input", async (pattern) => {
    const { RE2JS } = await import("re2js");
    const engine = RE2JS.compile(pattern);
    const fast = compileRe2(pattern);
    for (const input of INPUTS) expect(fast.test(input), JSON.stringify(input)).toBe(engine.test(input));
  });

  it("leaves anything else (classes, repeats, dots, flags, empty alternatives) to the engine", () => {
    for (const pattern of ["^d.ta$", "^(a|)$", "a+", "(?i)data", "[ab]", "^(a|b)|c$", "a\\$"]) {
      const { RE2JS } = re2jsSync();
      const engine = RE2JS.compile(pattern);
      const compiled = compileRe2(pattern);
      for (const input of [...INPUTS, "dxta", "A", "aa", "c", "a$"]) expect(compiled.test(input), `${pattern} ${JSON.stringify(input)}`).toBe(engine.test(input));
    }
  });
});

function re2jsSync(): typeof import("re2js") {
  return createRequire(import.meta.url)("re2js") as typeof import("re2js");
}
