// .sops.yaml configuration (creation rules) — see docs/sops-config.md
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isSigilError } from "../../../../src/core/index.js";
import { compileRe2, translateRe2 } from "../../../../src/decrypt/sops/config/index.js";

interface Vector {
  readonly pattern: string;
  readonly valid: boolean;
  readonly error?: string;
  readonly matches?: Readonly<Record<string, boolean>>;
}

const vectors = JSON.parse(readFileSync(new URL("re2-vectors/vectors.json", import.meta.url), "utf8")) as Vector[];

/** Go accepts these; Sigil refuses them on purpose (documented in docs/sops-config.md). */
const UNSUPPORTED: readonly { pattern: string; reason: string }[] = [
  { pattern: "(?i:a)b", reason: "a case-insensitive group that does not cover the whole pattern (JavaScript has one global i flag)" },
  { pattern: "a(?i)b", reason: "(?i) after the start of the pattern" },
  { pattern: "(?i)(?-i)a", reason: "turning (?i) off again" },
];

/** Go and JavaScript disagree on these inputs; documented in docs/sops-config.md. */
const KNOWN_DIFFERENCES: readonly { pattern: string; input: string; reason: string }[] = [
  {
    pattern: "(?i)\\bk",
    input: "\u212a",
    reason: "with the iu flags JavaScript's \\b counts the Kelvin sign (and long s) as word characters, Go's ASCII \\b does not",
  },
];

function rejection(pattern: string): string {
  try {
    translateRe2(pattern, { subject: "/repo/.sops.yaml", field: "creation_rules[0].path_regex" });
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

  const valid = vectors.filter((v) => v.valid && !UNSUPPORTED.some((u) => u.pattern === v.pattern));
  it.each(valid)("matches exactly the inputs Go matches for $pattern", (v) => {
    const re = compileRe2(v.pattern);
    const differences = Object.entries(v.matches ?? {})
      .filter(([input, goMatches]) => re.test(input) !== goMatches)
      .filter(([input]) => !KNOWN_DIFFERENCES.some((d) => d.pattern === v.pattern && d.input === input))
      .map(([input, goMatches]) => `${JSON.stringify(input)}: go ${goMatches}`);
    expect(differences).toEqual([]);
  });

  it.each(UNSUPPORTED)("refuses $pattern with a clear message: $reason", ({ pattern }) => {
    expect(vectors.find((v) => v.pattern === pattern)?.valid).toBe(true);
    expect(rejection(pattern)).toMatch(/\(\?i\)/);
  });

  it.each(KNOWN_DIFFERENCES)("documents the known difference for $pattern: $reason", ({ pattern, input }) => {
    const go = vectors.find((v) => v.pattern === pattern)?.matches?.[input];
    expect(compileRe2(pattern).test(input)).toBe(!go);
  });
});

describe("RE2 translation", () => {
  const translations = [
    { pattern: "(?i)\\.env$", source: "\\.env$", flags: "iu", reason: "a leading (?i) becomes the i flag" },
    { pattern: "a.b", source: "a[^\\n]b", flags: "u", reason: "Go's . excludes only \\n (JavaScript's also excludes \\r, U+2028, U+2029)" },
    { pattern: "(?s)a.b", source: "a[\\s\\S]b", flags: "u", reason: "(?s) lets . match \\n" },
    { pattern: "(?m)^a$", source: "(?<![^\\n])a(?![^\\n])", flags: "u", reason: "Go's multi-line anchors see only \\n as a line end" },
    { pattern: "\\Aa\\z", source: "^a$", flags: "u", reason: "\\A and \\z are the non-multi-line anchors" },
    { pattern: "\\s", source: "[\\t\\n\\f\\r ]", flags: "u", reason: "Go's \\s is ASCII and has no \\v" },
    { pattern: "(?P<env>dev|prod)/", source: "(dev|prod)/", flags: "u", reason: "named groups become plain groups (names do not affect matching)" },
    { pattern: "[[:alpha:]]+", source: "[A-Za-z]+", flags: "u", reason: "POSIX classes are expanded" },
    { pattern: "\\p{Greek}", source: "\\p{Script=Greek}", flags: "u", reason: "a script name needs Script= in JavaScript" },
    { pattern: "a{,3}", source: "a\\{,3\\}", flags: "u", reason: "an invalid repeat is literal text in Go" },
    { pattern: "\\Q.*\\E", source: "\\.\\*", flags: "u", reason: "\\Q...\\E quotes literally" },
    { pattern: "(?U)a+", source: "a+?", flags: "u", reason: "(?U) swaps greedy and lazy" },
    { pattern: "^*", source: "(?:^)*", flags: "u", reason: "Go can repeat an assertion; JavaScript needs a group around it" },
  ];
  it.each(translations)("translates $pattern: $reason", ({ pattern, source, flags }) => {
    expect(translateRe2(pattern)).toEqual({ source, flags });
  });

  const rejected = [
    { pattern: "(?=secret)", message: "look-around", reason: "look-ahead is not RE2" },
    { pattern: "(?<!a)b", message: "look-around", reason: "look-behind is not RE2" },
    { pattern: "(a)\\1", message: "back-references", reason: "back-references are not RE2" },
    { pattern: "\\Z", message: "use \\z", reason: "\\Z is Perl, not RE2" },
    { pattern: "x{1001}", message: "at most 1000", reason: "Go limits repeat counts" },
    { pattern: "[[:^alpha:]_]", message: "negated posix class", reason: "a negated POSIX class inside a larger class has no JavaScript form" },
  ];
  it.each(rejected)("rejects $pattern naming the field and why: $reason", ({ pattern, message }) => {
    const text = rejection(pattern);
    expect(text).toContain("creation_rules[0].path_regex");
    expect(text).toContain(message);
  });

  it("puts the config path in the error's subject", () => {
    try {
      translateRe2("(?=x)", { subject: "/repo/.sops.yaml" });
      expect.unreachable();
    } catch (err) {
      expect(isSigilError(err) && err.subject).toBe("/repo/.sops.yaml");
    }
  });
});
