// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Go RE2 (the `regexp` package sops uses for `path_regex` and the regex
 * selection rules), run on `re2js`, a pure-JavaScript port of RE2 with Go's
 * syntax. Matching takes time linear in the input whatever the pattern, so
 * a hostile pattern in a file's metadata, a `.sops.yaml` or a flag cannot
 * hang the process (issue 7). Checked against the real Go regexp package's
 * answers in `test/unit/sops/config/re2-vectors/`; the one known difference
 * (a repeated group name) is pinned in `re2.test.ts`.
 */
import { createRequire } from "node:module";
import type { RE2JS } from "re2js";
import { SigilError } from "../../../core/index.js";

type Re2Module = typeof import("re2js");
let engine: Re2Module | undefined;

/**
 * re2js, loaded on the first pattern that needs it: evaluating it costs a
 * start-up a good part of what a whole `sigil decrypt` of a small file costs
 * (docs/benchmarks.md, start-up), and most files' patterns are plain names.
 */
function re2(): Re2Module {
  engine ??= createRequire(import.meta.url)("re2js") as Re2Module;
  return engine;
}

/** `^(data|stringData)$` and the like: literals, `|` in one group, `^` and `$`. */
const SIMPLE = /^(\^?)(?:([\w-]+)|\(([\w-]+(?:\|[\w-]+)*)\))(\$?)$/;

/**
 * The same answers as RE2 for patterns made only of word characters and
 * `-` (literal in RE2), optionally one group of alternatives, and the `^`
 * and `$` anchors (without the `m` flag they match only at the ends of the
 * text, in Go as here). Undefined for anything else. Pinned against re2js in
 * `re2.test.ts`.
 */
function literalPattern(pattern: string): ((input: string) => boolean) | undefined {
  const m = SIMPLE.exec(pattern);
  if (m === null) return undefined;
  const words = (m[2] ?? m[3] ?? "").split("|");
  const start = m[1] === "^";
  const end = m[4] === "$";
  if (start && end) {
    const set = new Set(words);
    return (input) => set.has(input);
  }
  if (start) return (input) => words.some((w) => input.startsWith(w));
  if (end) return (input) => words.some((w) => input.endsWith(w));
  return (input) => words.some((w) => input.includes(w));
}

/** A compiled Go RE2 pattern. */
export interface Re2Pattern {
  /** The pattern as written. */
  readonly source: string;
  /** Does the pattern match anywhere in `input` (Go's `MatchString`)? Linear in `input`. */
  test(input: string): boolean;
}

/** Where a pattern comes from, for the error message. */
export interface Re2Context {
  /** The file the pattern came from. */
  readonly subject?: string;
  /** The field, e.g. `creation_rules[0].path_regex` or `encrypted_regex`. */
  readonly field?: string;
}

/**
 * Compile a Go RE2 pattern (unanchored, like Go's `MatchString`).
 * @throws SigilError `config.invalid` when RE2 rejects the pattern
 *   (look-around, back-references, `\Z`, bad escapes, repeat counts over
 *   1000, nesting over 1000); the message names the field, the pattern and why.
 */
export function compileRe2(pattern: string, context: Re2Context = {}): Re2Pattern {
  const literal = literalPattern(pattern);
  if (literal !== undefined) return { source: pattern, test: literal };
  const { RE2JS: Engine, RE2JSException } = re2();
  let re: RE2JS;
  try {
    re = Engine.compile(pattern);
  } catch (cause) {
    const why = cause instanceof RE2JSException ? cause.message.replace(/^error parsing regexp: /, "") : "not a valid pattern";
    const where = context.field === undefined ? "" : `${context.field}: `;
    throw new SigilError("config.invalid", `${where}the regex ${JSON.stringify(pattern)} cannot be used: ${why}`, { subject: context.subject, cause });
  }
  return { source: pattern, test: (input) => re.test(input) };
}
