// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Choosing the creation rule for a file (first match wins, path made
 * relative to the config's directory) and converting it into encrypt
 * settings.
 */
import { isAbsolute, resolve, sep } from "node:path";
import { SigilError } from "../../../core/index.js";
import type { MasterKeyRef } from "../../../providers/index.js";
import { compileRe2 } from "./re2.js";
import { flatEntries, groupEntries } from "./resolve-keys.js";
import type { KeyContext, KeyEntry } from "./resolve-keys.js";
import { SOPS_CONFIG_FILE } from "./types.js";
import type { CreationRule, CreationRuleSettings, SopsConfig, UnsupportedKey } from "./types.js";

/** Options for matching a file against the rules. */
export interface MatchOptions {
  /** Directory relative paths are resolved against (required when a path is relative). */
  readonly cwd?: string;
}

/** The rule chosen for a file. */
export interface CreationRuleMatch {
  readonly rule: CreationRule;
  /** The string `path_regex` was matched against: the absolute file path minus `<configDir>/`. */
  readonly matchedPath: string;
}

function subjectOf(config: SopsConfig): string {
  return config.path ?? SOPS_CONFIG_FILE;
}

function absolute(path: string, cwd: string | undefined, what: string): string {
  if (isAbsolute(path)) return resolve(path);
  if (cwd === undefined || !isAbsolute(cwd)) {
    throw new SigilError("input.invalid", `the ${what} is relative and no absolute working directory was given`, { subject: path });
  }
  return resolve(cwd, path);
}

/**
 * The first creation rule whose `path_regex` (Go RE2, unanchored) matches
 * the file, as sops matches it: the file path is made absolute and the
 * prefix `<configDir>/` removed when present; a rule without `path_regex`
 * matches everything. Regexes are compiled only up to the matching rule.
 * Returns undefined when the config has no `creation_rules` at all (sops
 * then acts as if there were no config file).
 * @throws SigilError `config.invalid` when no rule matches ("no matching
 *   creation rules found", naming the file; the subject is the config path)
 *   or a `path_regex` up to the match cannot be used; `input.invalid` for a
 *   relative path without `cwd`.
 */
export function matchCreationRule(config: SopsConfig, configDir: string, filePath: string, options: MatchOptions = {}): CreationRuleMatch | undefined {
  if (config.creationRules === undefined) return undefined;
  const subject = subjectOf(config);
  const file = absolute(filePath, options.cwd, "file path");
  const prefix = absolute(configDir, options.cwd, "config directory") + sep;
  const matchedPath = file.startsWith(prefix) ? file.slice(prefix.length) : file;
  for (const rule of config.creationRules) {
    if (rule.pathRegex === "") return { rule, matchedPath };
    if (compileRe2(rule.pathRegex, { subject, field: `creation_rules[${rule.index}].path_regex` }).test(matchedPath)) return { rule, matchedPath };
  }
  const tried = config.creationRules.length;
  throw new SigilError("config.invalid", `no matching creation rules found for ${file} (tried ${tried} rule${tried === 1 ? "" : "s"} against '${matchedPath}')`, {
    subject,
  });
}

/** Options for converting a rule. */
export interface RuleSettingsOptions {
  /** `--encryption-context`, applied to the flat `kms` keys (key groups carry their own). */
  readonly encryptionContext?: Readonly<Record<string, string>>;
}

function splitEntries(groups: readonly KeyEntry[][]): { keyGroups: MasterKeyRef[][]; unsupported: UnsupportedKey[] } {
  const unsupported: UnsupportedKey[] = [];
  const keyGroups = groups.map((entries, group) =>
    entries.flatMap((e) => {
      if ("ref" in e) return [e.ref];
      unsupported.push({ group, ...e.unsupported });
      return [];
    }),
  );
  return { keyGroups, unsupported };
}

function ruleWhere(rule: CreationRule): string {
  return `creation_rules[${rule.index}]`;
}

/**
 * What the encrypt engine needs from a matched rule: key groups of provider
 * references (flat lists form one group), the Shamir threshold, the
 * selection rule and `mac_only_encrypted`. Keys Sigil cannot use (PGP, GCP
 * KMS, Azure Key Vault, HuaweiCloud KMS, age plugin and SSH recipients) are
 * listed in `unsupported`, never dropped silently; see `requireUsableKeys`.
 * @throws SigilError `config.invalid` naming the rule and field for an
 *   invalid age recipient, KMS ARN or Vault URI, or a selection regex Go
 *   would reject.
 */
export function creationRuleSettings(config: SopsConfig, rule: CreationRule, options: RuleSettingsOptions = {}): CreationRuleSettings {
  const ctx: KeyContext = { subject: subjectOf(config), where: ruleWhere(rule), encryptionContext: options.encryptionContext ?? {} };
  let groups: KeyEntry[][];
  if (rule.keyGroups.length > 0) {
    groups = rule.keyGroups.map((g, i) => groupEntries({ ...ctx, where: `${ctx.where}.key_groups[${i}]` }, g));
  } else {
    const flat = flatEntries(ctx, rule.keys, rule.awsProfile);
    groups = flat.length === 0 ? [] : [flat];
  }
  const sel = rule.rule;
  if (sel?.kind.endsWith("_regex") === true) compileRe2(sel.value, { subject: ctx.subject, field: `${ctx.where}.${sel.kind}` });
  return {
    ruleIndex: rule.index,
    ...splitEntries(groups),
    ...(rule.shamirThreshold > 0 ? { shamirThreshold: rule.shamirThreshold } : {}),
    ...(sel === undefined ? {} : { rule: sel }),
    macOnlyEncrypted: rule.macOnlyEncrypted,
  };
}

/**
 * Match and convert in one call: `matchCreationRule` then `creationRuleSettings`.
 * @throws SigilError as those two.
 */
export function resolveCreationRule(
  config: SopsConfig,
  configDir: string,
  filePath: string,
  options: MatchOptions & RuleSettingsOptions = {},
): CreationRuleSettings | undefined {
  const match = matchCreationRule(config, configDir, filePath, options);
  return match === undefined ? undefined : creationRuleSettings(config, match.rule, options);
}

/**
 * Check that the rule's keys can be used to encrypt (call it when the rule's
 * keys are used, not when keys come from the command line).
 * @throws SigilError `provider.not_configured` naming every key Sigil cannot
 *   use, or when the rule names no keys; `config.invalid` for an empty key
 *   group or a `shamir_threshold` above the number of groups.
 */
export function requireUsableKeys(settings: CreationRuleSettings, subject: string): void {
  const where = `creation_rules[${settings.ruleIndex}]`;
  if (settings.unsupported.length > 0) {
    const names = settings.unsupported.map((k) => `${k.type}:${k.key}`).join(", ");
    throw new SigilError("provider.not_configured", `${where} names keys sigil cannot use: ${names} (sigil supports age x25519/hybrid recipients, aws kms and vault transit)`, {
      subject,
    });
  }
  if (settings.keyGroups.length === 0) throw new SigilError("provider.not_configured", `${where} names no keys`, { subject });
  const empty = settings.keyGroups.findIndex((g) => g.length === 0);
  if (empty >= 0) throw new SigilError("config.invalid", `${where}.key_groups[${empty}] has no keys`, { subject });
  const threshold = settings.shamirThreshold ?? 0;
  if (settings.keyGroups.length > 1 && threshold > settings.keyGroups.length) {
    throw new SigilError("config.invalid", `${where}.shamir_threshold ${threshold} is larger than the number of key groups (${settings.keyGroups.length})`, {
      subject,
    });
  }
}

/** The stores' indent settings with sops' defaults applied: YAML 4 spaces, JSON and binary a TAB (-1). */
export function storeIndents(config: SopsConfig | undefined): { readonly yaml: number; readonly json: number; readonly jsonBinary: number } {
  const yaml = config?.stores.yaml.indent ?? 0;
  return {
    yaml: yaml === 0 ? 4 : yaml,
    json: config?.stores.json.indent ?? -1,
    jsonBinary: config?.stores.jsonBinary.indent ?? -1,
  };
}
