// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * The `.sops.yaml` module: find the file, load and validate it, pick the
 * creation rule for a file and turn it into encrypt settings, and compile
 * Go RE2 patterns (re2js, linear-time). Pure apart from the injected file system.
 */
export { findSopsConfig, loadSopsConfig, nodeConfigFileSystem, SOPS_CONFIG_MAX_DEPTH } from "./load.js";
export type { ConfigFileSystem, SopsConfigLookup } from "./load.js";
export { defaultSopsConfigOptions, parseSopsConfig } from "./parse-file.js";
export type { SopsConfigOptions } from "./parse-file.js";
export { creationRuleSettings, matchCreationRule, requireUsableKeys, resolveCreationRule, storeIndents } from "./match.js";
export type { CreationRuleMatch, MatchOptions, RuleSettingsOptions } from "./match.js";
export { compileRe2 } from "./re2.js";
export type { Re2Context, Re2Pattern } from "./re2.js";
export { MAX_MERGE_DEPTH } from "./parse-groups.js";
export { SOPS_CONFIG_ALTERNATE_FILE, SOPS_CONFIG_FILE } from "./types.js";
export type {
  AzureKeyConfig,
  CreationRule,
  CreationRuleSettings,
  DestinationRule,
  FlatKeys,
  KeyGroupConfig,
  KmsKeyConfig,
  SelectionRule,
  SopsConfig,
  StoreIndent,
  StoresConfig,
  UnsupportedKey,
} from "./types.js";
