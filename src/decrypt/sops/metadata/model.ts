/**
 * The `sops` metadata object (docs/formats.md#a10-metadata) as Sigil holds it, and its master-key
 * entries. Key types Sigil cannot use (pgp, gcp_kms, azure_kv, hckms) are
 * kept verbatim so that rotate/updatekeys and re-encryption preserve them.
 */
import type { MasterKeyRef } from "../../../providers/index.js";
import type { RuleSet } from "../tree/rules.js";

/** Every key list name sops writes, in sops' internal group order (docs/formats.md#a10-metadata). */
export const KEY_TYPES = ["kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "pgp", "age"] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** Key types Sigil has providers for. */
export const SUPPORTED_KEY_TYPES: readonly KeyType[] = ["age", "kms", "hc_vault"];

/** Field names (besides `enc` and `created_at`) of each key type, as stored. */
export const KEY_FIELDS: Record<KeyType, readonly string[]> = {
  kms: ["arn", "role", "context", "aws_profile"],
  gcp_kms: ["resource_id"],
  hckms: ["key_id"],
  azure_kv: ["vault_url", "name", "version"],
  hc_vault: ["vault_address", "engine_path", "key_name"],
  pgp: ["fp"],
  age: ["recipient"],
};

/** One master key in a group, with its wrapped data key (or Shamir share). */
export interface MasterKey {
  readonly type: KeyType;
  /** The provider reference, for supported types. */
  readonly ref: MasterKeyRef | undefined;
  /** Stored fields other than `enc`/`created_at` (strings; `context` is a map). */
  readonly fields: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
  /** The wrapped data key as stored (`enc`); empty before wrapping. */
  enc: string;
  /** RFC 3339 creation time (absent for age). */
  createdAt: string | undefined;
}

export type KeyGroup = MasterKey[];

/** The whole metadata object. */
export interface SopsMetadata {
  keyGroups: KeyGroup[];
  /** 0 = unset. */
  shamirThreshold: number;
  /** As stored (the MAC's AAD is its normalised form). */
  lastModified: string;
  /** The encrypted MAC (`ENC[...]`), or "" before encryption. */
  mac: string;
  /** At most one selection rule; empty for the binary store. */
  rules: RuleSet;
  macOnlyEncrypted: boolean;
  version: string;
}

/** The sops version Sigil writes into files, for byte-compatibility with sops 3.13.2. */
export const SOPS_VERSION = "3.13.2";

/** A short, secret-free description of a key for messages: the recipient, ARN or URI. */
export function describeKey(key: MasterKey): string {
  const f = key.fields;
  const s = (name: string): string => {
    const v = f[name];
    return typeof v === "string" ? v : "";
  };
  switch (key.type) {
    case "age":
      return `age:${s("recipient")}`;
    case "kms":
      return `kms:${s("arn")}${s("role") === "" ? "" : `+${s("role")}`}`;
    case "hc_vault":
      return `hc_vault:${s("vault_address")}/v1/${s("engine_path")}/keys/${s("key_name")}`;
    case "pgp":
      return `pgp:${s("fp")}`;
    case "gcp_kms":
      return `gcp_kms:${s("resource_id")}`;
    case "azure_kv":
      return `azure_kv:${s("vault_url")}/keys/${s("name")}/${s("version")}`;
    default:
      return `hckms:${s("key_id")}`;
  }
}

/** A metadata entry for a provider reference, not yet wrapped. */
export function masterKeyFromRef(ref: MasterKeyRef): MasterKey {
  switch (ref.type) {
    case "age":
      return { type: "age", ref, fields: { recipient: ref.recipient }, enc: "", createdAt: undefined };
    case "hc_vault":
      return {
        type: "hc_vault",
        ref,
        fields: { vault_address: ref.vaultAddress, engine_path: ref.enginePath, key_name: ref.keyName },
        enc: "",
        createdAt: undefined,
      };
    default:
      return {
        type: "kms",
        ref,
        fields: {
          arn: ref.arn,
          role: ref.role ?? "",
          ...(ref.context !== undefined && Object.keys(ref.context).length > 0 ? { context: ref.context } : {}),
          aws_profile: ref.awsProfile ?? "",
        },
        enc: "",
        createdAt: undefined,
      };
  }
}

/** A stable identity for a key (type and reference, not its wrapped value), to compare key sets. */
export function keyIdentity(key: MasterKey): string {
  return JSON.stringify([key.type, KEY_FIELDS[key.type].map((f) => key.fields[f] ?? "")]);
}
