/**
 * Which values are encrypted (§A.6): the six mutually exclusive rules and
 * the default `unencrypted_suffix: _unencrypted`.
 *
 * Regexes are Go RE2 in sops; here they are JavaScript RegExps. The common
 * subset (anchors, classes, groups, alternation, quantifiers) behaves the
 * same. Differences are documented in docs/sops-compatibility.md; RE2-only
 * syntax that JavaScript rejects (e.g. `(?P<name>...)`, `\z`, `(?i)` flags)
 * is translated where simple and rejected otherwise.
 */
import { SigilError } from "../../../core/index.js";

export const RULE_FIELDS = [
  "unencrypted_suffix",
  "encrypted_suffix",
  "unencrypted_regex",
  "encrypted_regex",
  "unencrypted_comment_regex",
  "encrypted_comment_regex",
] as const;

export type RuleField = (typeof RULE_FIELDS)[number];

/** At most one rule; `undefined` fields are unset. */
export type RuleSet = Partial<Record<RuleField, string>>;

/** The default applied when a file names no rule. */
export const DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted";

/** A compiled rule the walker applies. */
export interface CompiledRule {
  readonly field: RuleField | "none";
  /** Does a mapping key match (suffix or regex rules)? */
  readonly matchKey: (key: string) => boolean;
  /** Does a comment text match (comment rules)? */
  readonly matchComment: (text: string) => boolean;
}

/**
 * The one rule in `rules`, or undefined when none is set.
 * @throws SigilError `config.invalid` when more than one is set.
 */
export function singleRule(rules: RuleSet, subject?: string): [RuleField, string] | undefined {
  const set = RULE_FIELDS.filter((f) => rules[f] !== undefined && rules[f] !== "");
  if (set.length > 1) {
    throw new SigilError("config.invalid", `only one of ${RULE_FIELDS.join(", ")} may be set, found ${set.join(" and ")}`, { subject });
  }
  const field = set[0];
  return field === undefined ? undefined : [field, rules[field] ?? ""];
}

/**
 * Translate a Go RE2 pattern to a JavaScript RegExp for the common subset.
 * @throws SigilError `config.invalid` when the pattern cannot be compiled.
 */
export function compileGoRegex(pattern: string, subject?: string): RegExp {
  let source = pattern.replace(/\(\?P</g, "(?<").replace(/\\z/g, "(?![\\s\\S])").replace(/\\A/g, "(?<![\\s\\S])");
  let flags = "";
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead !== null) {
    const f = lead[1] ?? "";
    if (f.includes("U")) throw new SigilError("config.invalid", `the regex flag U is not supported: ${pattern}`, { subject });
    flags = [...new Set(f)].join("");
    source = source.slice(lead[0].length);
  }
  try {
    return new RegExp(source, flags);
  } catch (cause) {
    throw new SigilError("config.invalid", `the regex ${JSON.stringify(pattern)} is not supported: ${(cause as Error).message}`, { subject, cause });
  }
}

const never = (): boolean => false;

/**
 * Compile the file's rule. With no rule set, the default suffix rule applies
 * (as sops does when loading a file).
 * @throws SigilError `config.invalid` for conflicting rules or a bad regex.
 */
export function compileRule(rules: RuleSet, subject?: string): CompiledRule {
  const one = singleRule(rules, subject) ?? ["unencrypted_suffix", DEFAULT_UNENCRYPTED_SUFFIX];
  const [field, value] = one;
  switch (field) {
    case "unencrypted_suffix":
    case "encrypted_suffix":
      return { field, matchKey: (k) => k.endsWith(value), matchComment: never };
    case "unencrypted_regex":
    case "encrypted_regex": {
      const re = compileGoRegex(value, subject);
      return { field, matchKey: (k) => re.test(k), matchComment: never };
    }
    default: {
      const re = compileGoRegex(value, subject);
      return { field, matchKey: never, matchComment: (c) => re.test(c) };
    }
  }
}

/** A rule that encrypts nothing by key and everything else: the binary store's (no rule written). */
export const ENCRYPT_ALL: CompiledRule = { field: "none", matchKey: never, matchComment: never };

/**
 * Should a leaf be encrypted? `keyMatched` is whether any key in its path
 * matched the key rule; `comments` is the active comment stack (innermost
 * level last); `isComment` excludes the leaf's own (newest) comment for
 * `encrypted_comment_regex`.
 */
export function shouldEncrypt(rule: CompiledRule, keyMatched: boolean, comments: readonly (readonly string[])[], isComment: boolean): boolean {
  switch (rule.field) {
    case "unencrypted_suffix":
    case "unencrypted_regex":
      return !keyMatched;
    case "encrypted_suffix":
    case "encrypted_regex":
      return keyMatched;
    case "unencrypted_comment_regex":
      return !comments.some((level) => level.some(rule.matchComment));
    case "encrypted_comment_regex":
      return anyCommentMatches(rule, comments, isComment);
    default:
      return true;
  }
}

function anyCommentMatches(rule: CompiledRule, comments: readonly (readonly string[])[], isComment: boolean): boolean {
  const lastLevel = comments.length - 1;
  for (let i = 0; i < comments.length; i++) {
    const level = comments[i] ?? [];
    for (let j = 0; j < level.length; j++) {
      if (isComment && i === lastLevel && j === level.length - 1) continue;
      if (rule.matchComment(level[j] ?? "")) return true;
    }
  }
  return false;
}
