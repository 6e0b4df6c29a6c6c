// Interim .sops.yaml loader used by the CLI until src/decrypt/sops/config (docs/sops-config.md) is ready.
/**
 * `.sops.yaml` (§A.12): found by walking up from the working directory (or
 * given with `--config` / `SOPS_CONFIG`); `creation_rules` matched by
 * `path_regex` against the file path relative to the config's directory,
 * first match wins; `stores` settings.
 *
 * `path_regex` and the rule regexes are Go RE2 in sops and JavaScript
 * RegExps here: see `compileGoRegex` and docs/sops-compatibility.md.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { SigilError } from "../../../core/index.js";
import type { KmsKeyRef, MasterKeyRef } from "../../../providers/index.js";
import type { StoreOptions } from "../stores/index.js";
import { parseYaml } from "../stores/yaml-parse.js";
import { Comment, TreeMap, isSeq } from "../tree/model.js";
import type { TreeValue } from "../tree/model.js";
import { RULE_FIELDS, compileGoRegex, singleRule } from "../tree/rules.js";
import type { RuleSet } from "../tree/rules.js";
import { ageKeys, kmsKeys, splitList, vaultKey } from "./keys.js";

export const CONFIG_FILE_NAME = ".sops.yaml";
const ALTERNATE_NAME = ".sops.yml";
const MAX_DEPTH = 100;

/** One creation rule, with its keys resolved to provider references. */
export interface CreationRule {
  readonly pathRegex: string | undefined;
  readonly keyGroups: MasterKeyRef[][];
  readonly shamirThreshold: number;
  readonly rules: RuleSet;
  readonly macOnlyEncrypted: boolean;
}

/** A loaded `.sops.yaml`. */
export interface SopsConfig {
  readonly path: string;
  /** Absolute directory of the file: paths are matched relative to it. */
  readonly dir: string;
  /** Undefined when the file has no `creation_rules` key. */
  readonly creationRules: CreationRule[] | undefined;
  readonly stores: Partial<StoreOptions>;
}

/** The result of looking for `.sops.yaml`. */
export interface ConfigLookup {
  readonly path: string | undefined;
  /** Set when a `.sops.yml` was seen and ignored, as sops warns. */
  readonly warning: string | undefined;
}

/** Walk up from `startDir` (at most 100 levels) looking for `.sops.yaml`. Never throws. */
export function findConfigFile(startDir: string, exists: (p: string) => boolean = existsSync): ConfigLookup {
  let dir = resolve(startDir);
  let alternate: string | undefined;
  for (let i = 0; i < MAX_DEPTH; i++) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (exists(candidate)) {
      const warning = alternate === undefined ? undefined : `ignoring ${alternate}: the config file must be called ${CONFIG_FILE_NAME}; using ${candidate}`;
      return { path: candidate, warning };
    }
    if (alternate === undefined && exists(join(dir, ALTERNATE_NAME))) alternate = join(dir, ALTERNATE_NAME);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return { path: undefined, warning: alternate === undefined ? undefined : `ignoring ${alternate}: the config file must be called ${CONFIG_FILE_NAME}` };
}

function bad(msg: string, subject: string): never {
  throw new SigilError("config.invalid", msg, { subject });
}

function fields(v: TreeValue, what: string, subject: string): Map<string, TreeValue> {
  if (!(v instanceof TreeMap)) bad(`${what} must be a mapping`, subject);
  const out = new Map<string, TreeValue>();
  for (const item of v.items) if (!(item.key instanceof Comment)) out.set(item.key, item.value);
  return out;
}

function text(v: TreeValue | undefined, what: string, subject: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "bigint" || typeof v === "boolean" || typeof v === "number") return String(v);
  return bad(`${what} must be a string`, subject);
}

/** A key field that is a comma-separated string or a list of strings. */
function stringList(v: TreeValue | undefined, what: string, subject: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return splitList(v);
  if (!isSeq(v)) bad(`${what} must be a string or a list of strings`, subject);
  return v.filter((x) => !(x instanceof Comment)).map((x) => text(x as TreeValue, what, subject));
}

function contextOf(v: TreeValue | undefined, subject: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of fields(v, "a kms context", subject)) out[k] = text(val, "a kms context value", subject);
  return Object.keys(out).length === 0 ? undefined : out;
}

function groupKmsKeys(v: TreeValue | undefined, subject: string): KmsKeyRef[] {
  if (v === undefined || v === null) return [];
  if (!isSeq(v)) bad("kms in a key group must be a list", subject);
  return v
    .filter((x) => !(x instanceof Comment))
    .flatMap((entry) => {
      const f = fields(entry as TreeValue, "a kms entry", subject);
      return kmsKeys(text(f.get("arn"), "arn", subject), contextOf(f.get("context"), subject), text(f.get("aws_profile"), "aws_profile", subject)).map((k) => {
        const role = text(f.get("role"), "role", subject);
        return role === "" ? k : { ...k, role };
      });
    });
}

const UNSUPPORTED_GROUP_KEYS = ["pgp", "gcp_kms", "azure_keyvault", "hckms"];

function dedupe(keys: MasterKeyRef[]): MasterKeyRef[] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = JSON.stringify(k);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function keyGroup(v: TreeValue, subject: string, depth = 0): MasterKeyRef[] {
  if (depth > 32) bad("key_groups merge is nested too deeply", subject);
  const f = fields(v, "a key group", subject);
  for (const k of UNSUPPORTED_GROUP_KEYS) {
    if (stringListOrEntries(f.get(k))) bad(`key type '${k}' in key_groups is not supported by sigil (supported: age, kms, hc_vault)`, subject);
  }
  const merged = isSeq(f.get("merge") ?? null) ? (f.get("merge") as TreeValue[]).filter((x) => !(x instanceof Comment)).flatMap((g) => keyGroup(g, subject, depth + 1)) : [];
  const age = stringList(f.get("age"), "age", subject).flatMap(ageKeys);
  const vault = stringList(f.get("hc_vault"), "hc_vault", subject).map(vaultKey);
  return dedupe([...merged, ...age, ...groupKmsKeys(f.get("kms"), subject), ...vault]);
}

function stringListOrEntries(v: TreeValue | undefined): boolean {
  return v !== undefined && v !== null && v !== "" && !(isSeq(v) && v.length === 0);
}

function flatKeys(f: Map<string, TreeValue>, context: Readonly<Record<string, string>> | undefined, subject: string): MasterKeyRef[][] {
  for (const k of ["pgp", "gcp_kms", "azure_keyvault", "hckms"]) {
    if (stringListOrEntries(f.get(k))) bad(`key type '${k}' is not supported by sigil (supported: age, kms, hc_vault_transit_uri)`, subject);
  }
  const profile = text(f.get("aws_profile"), "aws_profile", subject);
  const keys: MasterKeyRef[] = [
    ...ageKeys(stringList(f.get("age"), "age", subject).join(",")),
    ...kmsKeys(stringList(f.get("kms"), "kms", subject).join(","), context, profile),
    ...stringList(f.get("hc_vault_transit_uri"), "hc_vault_transit_uri", subject).map(vaultKey),
  ];
  return [keys];
}

function creationRule(v: TreeValue, context: Readonly<Record<string, string>> | undefined, subject: string): CreationRule {
  const f = fields(v, "a creation rule", subject);
  const rules: RuleSet = {};
  for (const r of RULE_FIELDS) {
    const value = text(f.get(r), r, subject);
    if (value !== "") rules[r] = value;
  }
  singleRule(rules, subject);
  const groups = f.get("key_groups");
  const keyGroups = isSeq(groups ?? null) && (groups as TreeValue[]).length > 0
    ? (groups as TreeValue[]).filter((g) => !(g instanceof Comment)).map((g) => keyGroup(g, subject))
    : flatKeys(f, context, subject);
  const pathRegex = text(f.get("path_regex"), "path_regex", subject);
  if (pathRegex !== "") compileGoRegex(pathRegex, subject);
  const threshold = f.get("shamir_threshold");
  const mac = f.get("mac_only_encrypted");
  return {
    pathRegex: pathRegex === "" ? undefined : pathRegex,
    keyGroups,
    shamirThreshold: typeof threshold === "bigint" ? Number(threshold) : 0,
    rules,
    macOnlyEncrypted: mac === true,
  };
}

function storesOf(v: TreeValue | undefined, subject: string): Partial<StoreOptions> {
  if (v === undefined || v === null) return {};
  const f = fields(v, "stores", subject);
  const indent = (name: string): number | undefined => {
    const s = f.get(name);
    if (s === undefined || s === null) return undefined;
    const i = fields(s, `stores.${name}`, subject).get("indent");
    return typeof i === "bigint" ? Number(i) : undefined;
  };
  const yaml = indent("yaml");
  const json = indent("json");
  const binary = indent("json_binary");
  if (yaml !== undefined && yaml < 0) bad("stores.yaml.indent cannot be negative", subject);
  return {
    ...(yaml !== undefined && yaml > 0 ? { yamlIndent: yaml } : {}),
    ...(json !== undefined ? { jsonIndent: json } : {}),
    ...(binary !== undefined ? { jsonBinaryIndent: binary } : {}),
  };
}

/**
 * Parse `.sops.yaml` text. `context` is the KMS encryption context from the
 * command line, applied to flat `kms` lists (as sops does).
 * @throws SigilError `config.invalid` for invalid YAML, wrong shapes, unsupported key types or bad regexes.
 */
export function parseSopsConfig(text: string, path: string, context?: Readonly<Record<string, string>>): SopsConfig {
  let root: TreeMap;
  try {
    root = parseYaml(Buffer.from(text, "utf8"), path)[0] ?? new TreeMap();
  } catch (cause) {
    throw new SigilError("config.invalid", "the config file is not valid YAML", { subject: path, cause });
  }
  const f = fields(root, "the config file", path);
  const rules = f.get("creation_rules");
  let creationRules: CreationRule[] | undefined;
  if (rules !== undefined && rules !== null) {
    if (!isSeq(rules)) bad("creation_rules must be a list", path);
    creationRules = rules.filter((r) => !(r instanceof Comment)).map((r) => creationRule(r as TreeValue, context, path));
  }
  return { path, dir: dirname(resolve(path)), creationRules, stores: storesOf(f.get("stores"), path) };
}

/**
 * Read and parse a `.sops.yaml` file.
 * @throws SigilError `input.not_found` when it cannot be read, `config.invalid` as `parseSopsConfig`.
 */
export function loadSopsConfig(path: string, context?: Readonly<Record<string, string>>, read: (p: string) => string = (p) => readFileSync(p, "utf8")): SopsConfig {
  let text: string;
  try {
    text = read(path);
  } catch (cause) {
    throw new SigilError("input.not_found", "the config file could not be read", { subject: path, cause });
  }
  return parseSopsConfig(text, path, context);
}

/**
 * The first creation rule whose `path_regex` matches `filePath` (made
 * absolute, then relative to the config's directory when inside it).
 * @throws SigilError `config.invalid` when no rule matches.
 */
export function ruleForFile(config: SopsConfig, filePath: string): CreationRule {
  const abs = resolve(filePath);
  const rel = abs.startsWith(config.dir + sep) ? relative(config.dir, abs).split(sep).join("/") : abs;
  for (const rule of config.creationRules ?? []) {
    if (rule.pathRegex === undefined || compileGoRegex(rule.pathRegex, config.path).test(rel)) return rule;
  }
  throw new SigilError("config.invalid", `no creation rule matches '${rel}'`, { subject: config.path });
}
