/**
 * Which values are encrypted (docs/formats.md#a6-encryption-rules): the six mutually exclusive rules and
 * the default `unencrypted_suffix: _unencrypted`.
 *
 * The regex rules are Go RE2 in sops. They are compiled with the `.sops.yaml`
 * module's RE2 engine (`compileRe2`: re2js, linear-time, tested against Go's answers),
 * so a rule matches exactly the keys and comments it matches in sops, and a
 * pattern Go rejects is refused with
 * `config.invalid`. See docs/sops-config.md.
 */
import { SigilError } from "../../../core/index.js";
import { compileRe2 } from "../config/re2.js";
import type { Re2Pattern } from "../config/re2.js";

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

function compileRuleRegex(field: RuleField, pattern: string, subject: string | undefined): Re2Pattern {
  return compileRe2(pattern, subject === undefined ? { field } : { subject, field });
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
      const re = compileRuleRegex(field, value, subject);
      return { field, matchKey: (k) => re.test(k), matchComment: never };
    }
    default: {
      const re = compileRuleRegex(field, value, subject);
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
