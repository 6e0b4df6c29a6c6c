// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Validating the YAML node tree of a `.sops.yaml` into a `SopsConfig`.
 * Structure and types are checked for every rule when the file is loaded (as
 * go-yaml does for sops); key strings and regexes are checked when a rule is
 * used (as sops does), see `resolve.ts` and `match.ts`.
 */
import { RULE_FIELDS } from "../tree/rules.js";
import { bool, fieldError, int, keyList, list, mapping, str, stringList } from "./fields.js";
import type { ReadContext } from "./fields.js";
import { parseKeyGroup } from "./parse-groups.js";
import type { CreationRule, DestinationRule, FlatKeys, SelectionRule, SopsConfig, StoreIndent, StoresConfig } from "./types.js";
import type { YNode } from "./yaml-read.js";

const FLAT_KEY_FIELDS = ["age", "pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri", "hckms"] as const;

const CREATION_RULE_KEYS: readonly string[] = [
  "path_regex",
  ...FLAT_KEY_FIELDS,
  "aws_profile",
  "key_groups",
  "shamir_threshold",
  ...RULE_FIELDS,
  "mac_only_encrypted",
];

const DESTINATION_RULE_KEYS: readonly string[] = [
  "path_regex",
  "s3_bucket",
  "s3_prefix",
  "gcs_bucket",
  "gcs_prefix",
  "vault_path",
  "vault_address",
  "vault_kv_mount_name",
  "vault_kv_version",
  "recreation_rule",
  "omit_extensions",
];

function splitItems(items: readonly string[]): string[] {
  return items.flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
}

function flatKeys(ctx: ReadContext, f: ReadonlyMap<string, YNode>, where: string): FlatKeys {
  const k = (name: string): string[] => keyList(ctx, f.get(name), `${where}.${name}`);
  return {
    age: k("age"),
    pgp: k("pgp"),
    kms: k("kms"),
    gcpKms: k("gcp_kms"),
    azureKeyvault: k("azure_keyvault"),
    hcVaultTransitUri: k("hc_vault_transit_uri"),
    hckms: splitItems(stringList(ctx, f.get("hckms"), `${where}.hckms`)),
  };
}

function selectionRule(ctx: ReadContext, f: ReadonlyMap<string, YNode>, where: string): SelectionRule | undefined {
  const set = RULE_FIELDS.map((kind) => ({ kind, value: str(ctx, f.get(kind), `${where}.${kind}`) })).filter((r) => r.value !== "");
  if (set.length > 1) {
    throw fieldError(ctx, where, `only one of ${RULE_FIELDS.join(", ")} may be set, found ${set.map((r) => r.kind).join(" and ")}`);
  }
  return set[0];
}

function flatLists(keys: FlatKeys): [string, readonly string[]][] {
  return [
    ["age", keys.age],
    ["pgp", keys.pgp],
    ["kms", keys.kms],
    ["gcp_kms", keys.gcpKms],
    ["azure_keyvault", keys.azureKeyvault],
    ["hc_vault_transit_uri", keys.hcVaultTransitUri],
    ["hckms", keys.hckms],
  ];
}

function warnIgnoredFlatKeys(ctx: ReadContext, keys: FlatKeys, awsProfile: string, where: string): void {
  const ignored = flatLists(keys)
    .filter(([, values]) => values.length > 0)
    .map(([name]) => name);
  if (awsProfile !== "") ignored.push("aws_profile");
  if (ignored.length === 0) return;
  ctx.warnings.push(`${where}: key_groups is set, so ${ignored.join(", ")} ${ignored.length > 1 ? "are" : "is"} ignored, as sops does`);
}

/**
 * One creation rule.
 * @throws SigilError `config.invalid` naming the field for a wrong type or two selection rules.
 */
export function parseCreationRule(ctx: ReadContext, node: YNode | undefined, index: number, where: string): CreationRule {
  const f = mapping(ctx, node, where, CREATION_RULE_KEYS);
  const keys = flatKeys(ctx, f, where);
  const awsProfile = str(ctx, f.get("aws_profile"), `${where}.aws_profile`);
  const keyGroups = list(ctx, f.get("key_groups"), `${where}.key_groups`).map((g, i) => parseKeyGroup(ctx, g, `${where}.key_groups[${i}]`, 0));
  if (keyGroups.length > 0) warnIgnoredFlatKeys(ctx, keys, awsProfile, where);
  return {
    index,
    pathRegex: str(ctx, f.get("path_regex"), `${where}.path_regex`),
    keys,
    awsProfile,
    keyGroups,
    shamirThreshold: int(ctx, f.get("shamir_threshold"), `${where}.shamir_threshold`),
    rule: selectionRule(ctx, f, where),
    macOnlyEncrypted: bool(ctx, f.get("mac_only_encrypted"), `${where}.mac_only_encrypted`),
  };
}

function parseDestinationRule(ctx: ReadContext, node: YNode | undefined, index: number): DestinationRule {
  const where = `destination_rules[${index}]`;
  const f = mapping(ctx, node, where, DESTINATION_RULE_KEYS);
  const s = (name: string): string => str(ctx, f.get(name), `${where}.${name}`);
  const recreation = f.get("recreation_rule");
  return {
    index,
    pathRegex: s("path_regex"),
    s3Bucket: s("s3_bucket"),
    s3Prefix: s("s3_prefix"),
    gcsBucket: s("gcs_bucket"),
    gcsPrefix: s("gcs_prefix"),
    vaultPath: s("vault_path"),
    vaultAddress: s("vault_address"),
    vaultKvMountName: s("vault_kv_mount_name"),
    vaultKvVersion: int(ctx, f.get("vault_kv_version"), `${where}.vault_kv_version`),
    recreationRule: recreation === undefined ? undefined : parseCreationRule(ctx, recreation, index, `${where}.recreation_rule`),
    omitExtensions: bool(ctx, f.get("omit_extensions"), `${where}.omit_extensions`),
  };
}

function storeIndent(ctx: ReadContext, node: YNode | undefined, where: string): StoreIndent {
  const f = mapping(ctx, node, where, ["indent"]);
  const indent = f.get("indent");
  return indent === undefined ? {} : { indent: int(ctx, indent, `${where}.indent`, true) };
}

function parseStores(ctx: ReadContext, node: YNode | undefined): StoresConfig {
  const f = mapping(ctx, node, "stores", ["yaml", "json", "json_binary", "dotenv", "ini"]);
  return {
    yaml: storeIndent(ctx, f.get("yaml"), "stores.yaml"),
    json: storeIndent(ctx, f.get("json"), "stores.json"),
    jsonBinary: storeIndent(ctx, f.get("json_binary"), "stores.json_binary"),
  };
}

/**
 * The whole file.
 * @throws SigilError `config.invalid` when the top level is not a mapping or any field has the wrong shape.
 */
export function parseConfigTree(ctx: ReadContext, root: YNode | undefined, path: string | undefined): SopsConfig {
  const top = mapping(ctx, root, "the config file", ["creation_rules", "destination_rules", "stores"]);
  const rulesNode = top.get("creation_rules");
  const creationRules =
    rulesNode === undefined || (rulesNode.kind === "scalar" && rulesNode.value === null)
      ? undefined
      : list(ctx, rulesNode, "creation_rules").map((r, i) => parseCreationRule(ctx, r, i, `creation_rules[${i}]`));
  return {
    path,
    creationRules,
    destinationRules: list(ctx, top.get("destination_rules"), "destination_rules").map((r, i) => parseDestinationRule(ctx, r, i)),
    stores: parseStores(ctx, top.get("stores")),
    warnings: ctx.warnings,
  };
}
