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
import { RE2JS, RE2JSException } from "re2js";
import { SigilError } from "../../../core/index.js";

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
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (cause) {
    const why = cause instanceof RE2JSException ? cause.message.replace(/^error parsing regexp: /, "") : "not a valid pattern";
    const where = context.field === undefined ? "" : `${context.field}: `;
    throw new SigilError("config.invalid", `${where}the regex ${JSON.stringify(pattern)} cannot be used: ${why}`, { subject: context.subject, cause });
  }
  return { source: pattern, test: (input) => re.test(input) };
}
