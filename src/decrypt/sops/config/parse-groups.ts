// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Reading `key_groups` entries: the string lists, the object lists (`kms`,
 * `gcp_kms`, `hckms`, `azure_keyvault`) and nested `merge` groups.
 */
import { fieldError, list, mapping, str, stringList, stringMap } from "./fields.js";
import type { ReadContext } from "./fields.js";
import type { AzureKeyConfig, KeyGroupConfig, KmsKeyConfig } from "./types.js";
import type { YNode } from "./yaml-read.js";

/** How deeply `merge` groups may nest. */
export const MAX_MERGE_DEPTH = 16;

const GROUP_KEYS = ["merge", "kms", "gcp_kms", "hckms", "azure_keyvault", "hc_vault", "age", "pgp"] as const;

function kmsKey(ctx: ReadContext, node: YNode, where: string): KmsKeyConfig {
  const f = mapping(ctx, node, where, ["arn", "role", "context", "aws_profile"]);
  return {
    arn: str(ctx, f.get("arn"), `${where}.arn`),
    role: str(ctx, f.get("role"), `${where}.role`),
    context: stringMap(ctx, f.get("context"), `${where}.context`),
    awsProfile: str(ctx, f.get("aws_profile"), `${where}.aws_profile`),
  };
}

function azureKey(ctx: ReadContext, node: YNode, where: string): AzureKeyConfig {
  const f = mapping(ctx, node, where, ["vaultUrl", "key", "version"]);
  return {
    vaultUrl: str(ctx, f.get("vaultUrl"), `${where}.vaultUrl`),
    key: str(ctx, f.get("key"), `${where}.key`),
    version: str(ctx, f.get("version"), `${where}.version`),
  };
}

function singleField(ctx: ReadContext, node: YNode, where: string, field: string): string {
  const f = mapping(ctx, node, where, [field]);
  return str(ctx, f.get(field), `${where}.${field}`);
}

/**
 * One key group (and, recursively, its `merge` groups).
 * @throws SigilError `config.invalid` naming the field for a wrong shape, or merges nested too deeply.
 */
export function parseKeyGroup(ctx: ReadContext, node: YNode | undefined, where: string, depth: number): KeyGroupConfig {
  if (depth > MAX_MERGE_DEPTH) throw fieldError(ctx, where, `merge groups nest more than ${MAX_MERGE_DEPTH} levels deep`, node);
  const f = mapping(ctx, node, where, GROUP_KEYS);
  const items = (name: string): readonly YNode[] => list(ctx, f.get(name), `${where}.${name}`);
  return {
    merge: items("merge").map((g, i) => parseKeyGroup(ctx, g, `${where}.merge[${i}]`, depth + 1)),
    kms: items("kms").map((k, i) => kmsKey(ctx, k, `${where}.kms[${i}]`)),
    gcpKms: items("gcp_kms").map((k, i) => singleField(ctx, k, `${where}.gcp_kms[${i}]`, "resource_id")),
    hckms: items("hckms").map((k, i) => singleField(ctx, k, `${where}.hckms[${i}]`, "key_id")),
    azureKeyvault: items("azure_keyvault").map((k, i) => azureKey(ctx, k, `${where}.azure_keyvault[${i}]`)),
    hcVault: stringList(ctx, f.get("hc_vault"), `${where}.hc_vault`),
    age: stringList(ctx, f.get("age"), `${where}.age`),
    pgp: stringList(ctx, f.get("pgp"), `${where}.pgp`),
  };
}
