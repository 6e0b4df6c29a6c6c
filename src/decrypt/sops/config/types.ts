// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * The typed form of a `.sops.yaml` file (docs/formats.md#a12-sopsyaml), as sops 3.13.2
 * reads it. Field names are camelCase versions of the YAML keys; key strings
 * are kept as written (validated only when a rule is used, as sops does).
 */
import type { MasterKeyRef } from "../../../providers/index.js";
import type { RuleField } from "../tree/rules.js";

/** The file name sops looks for, and the one it only warns about. */
export const SOPS_CONFIG_FILE = ".sops.yaml";
export const SOPS_CONFIG_ALTERNATE_FILE = ".sops.yml";

/** One of the six selection rules and its value (suffix or Go RE2 regex). */
export interface SelectionRule {
  readonly kind: RuleField;
  readonly value: string;
}

/** A `kms` entry of a key group. */
export interface KmsKeyConfig {
  readonly arn: string;
  /** "" when not set. */
  readonly role: string;
  readonly context: Readonly<Record<string, string>>;
  /** "" when not set. */
  readonly awsProfile: string;
}

/** An `azure_keyvault` entry of a key group. */
export interface AzureKeyConfig {
  readonly vaultUrl: string;
  readonly key: string;
  readonly version: string;
}

/** One entry of `key_groups` (with `merge` kept nested; it is flattened when the rule is resolved). */
export interface KeyGroupConfig {
  readonly merge: readonly KeyGroupConfig[];
  readonly kms: readonly KmsKeyConfig[];
  /** `resource_id`s. */
  readonly gcpKms: readonly string[];
  /** `key_id`s. */
  readonly hckms: readonly string[];
  readonly azureKeyvault: readonly AzureKeyConfig[];
  /** Transit key URIs. */
  readonly hcVault: readonly string[];
  /** Recipient strings (each may itself be a comma-separated list, as in sops). */
  readonly age: readonly string[];
  /** Fingerprints. */
  readonly pgp: readonly string[];
}

/** The flat key lists of a rule: comma strings split, items trimmed, empty items dropped. */
export interface FlatKeys {
  readonly age: readonly string[];
  readonly pgp: readonly string[];
  /** `ARN` or `ARN+roleARN`. */
  readonly kms: readonly string[];
  readonly gcpKms: readonly string[];
  readonly azureKeyvault: readonly string[];
  readonly hcVaultTransitUri: readonly string[];
  /** `region:key-uuid`. */
  readonly hckms: readonly string[];
}

/** One entry of `creation_rules`. */
export interface CreationRule {
  /** Position in `creation_rules` (0-based), used in messages as `creation_rules[index]`. */
  readonly index: number;
  /** Go RE2, unanchored; "" matches every file. */
  readonly pathRegex: string;
  readonly keys: FlatKeys;
  /** Profile for the flat `kms` keys; "" when not set. */
  readonly awsProfile: string;
  /** When non-empty, the flat key lists are ignored. */
  readonly keyGroups: readonly KeyGroupConfig[];
  /** 0 when not set. */
  readonly shamirThreshold: number;
  readonly rule: SelectionRule | undefined;
  readonly macOnlyEncrypted: boolean;
}

/** One entry of `destination_rules` (used by `sops publish`; parsed and kept, not used by Sigil). */
export interface DestinationRule {
  readonly index: number;
  readonly pathRegex: string;
  readonly s3Bucket: string;
  readonly s3Prefix: string;
  readonly gcsBucket: string;
  readonly gcsPrefix: string;
  readonly vaultPath: string;
  readonly vaultAddress: string;
  readonly vaultKvMountName: string;
  readonly vaultKvVersion: number;
  readonly recreationRule: CreationRule | undefined;
  readonly omitExtensions: boolean;
}

/** `stores.<name>.indent`; undefined when not set (the store's default applies). */
export interface StoreIndent {
  readonly indent?: number;
}

export interface StoresConfig {
  readonly yaml: StoreIndent;
  readonly json: StoreIndent;
  readonly jsonBinary: StoreIndent;
}

/** A loaded `.sops.yaml`. */
export interface SopsConfig {
  /** Where it was read from (undefined when parsed from bytes without a path). */
  readonly path: string | undefined;
  /**
   * undefined when `creation_rules` is missing or null: sops then behaves as
   * if there were no config file at all. An empty list is kept as `[]`
   * (every file then fails to match, as in sops).
   */
  readonly creationRules: readonly CreationRule[] | undefined;
  readonly destinationRules: readonly DestinationRule[];
  readonly stores: StoresConfig;
  /** Things sops silently accepts that are probably mistakes (unknown keys, ignored lists). */
  readonly warnings: readonly string[];
}

/** A key a rule names that Sigil has no provider for (or an age recipient kind it cannot use). */
export interface UnsupportedKey {
  /** Index of the key group (0 for the flat lists). */
  readonly group: number;
  readonly type: "pgp" | "gcp_kms" | "azure_keyvault" | "hckms" | "age";
  /** The key as written: fingerprint, resource id, URL, key id or recipient. */
  readonly key: string;
}

/** A matched creation rule, converted into what the encrypt engine needs. */
export interface CreationRuleSettings {
  /** Position of the rule in `creation_rules`. */
  readonly ruleIndex: number;
  /**
   * One list per key group (the flat lists form one group; no group at all
   * when the rule names no keys). Keys Sigil cannot use are not in here but in
   * `unsupported`, so a group may be empty.
   */
  readonly keyGroups: readonly (readonly MasterKeyRef[])[];
  /** Set when the rule sets `shamir_threshold` (> 0). */
  readonly shamirThreshold?: number;
  readonly rule?: SelectionRule;
  readonly macOnlyEncrypted: boolean;
  readonly unsupported: readonly UnsupportedKey[];
}
