/**
 * Master keys and encryption settings for the sops-compatible commands, from
 * flags, their sops environment variables, and `.sops.yaml`.
 */
import type { Command } from "commander";
import { SigilError } from "../../../core/index.js";
import { RULE_FIELDS, ageKeys, findConfigFile, kmsKeys, loadSopsConfig, parseEncryptionContext, ruleForFile, vaultKeys } from "../../../decrypt/index.js";
import type { CreationRule, RuleSet, SopsConfig } from "../../../decrypt/index.js";
import type { MasterKeyRef } from "../../../providers/index.js";
import type { CliContext } from "../../context.js";
import { absolute } from "../decrypt/io.js";

/** Path of `.sops.yaml` (as sops' `--config`). */
export const SOPS_CONFIG_ENV = "SOPS_CONFIG";
/** Default age recipients for `encrypt` (as `--age`). */
export const SOPS_AGE_RECIPIENTS_ENV = "SOPS_AGE_RECIPIENTS";
/** Default KMS ARNs for `encrypt` (as `--kms`). */
export const SOPS_KMS_ARN_ENV = "SOPS_KMS_ARN";
/** Default Vault transit URIs for `encrypt` (as `--hc-vault-transit`). */
export const SOPS_VAULT_URIS_ENV = "SOPS_VAULT_URIS";
/** Key types tried first when decrypting (as `--decryption-order`). */
export const SOPS_DECRYPTION_ORDER_ENV = "SOPS_DECRYPTION_ORDER";

/** Key and rule flags of `encrypt` (commander's camelCase names). */
export interface KeyFlags {
  readonly age?: string | undefined;
  readonly kms?: string | undefined;
  readonly hcVaultTransit?: string | undefined;
  readonly encryptionContext?: string | undefined;
  readonly awsProfile?: string | undefined;
  readonly pgp?: string | undefined;
  readonly gcpKms?: string | undefined;
  readonly azureKv?: string | undefined;
  readonly config?: string | undefined;
  readonly shamirSecretSharingThreshold?: string | undefined;
  readonly macOnlyEncrypted?: boolean | undefined;
  readonly unencryptedSuffix?: string | undefined;
  readonly encryptedSuffix?: string | undefined;
  readonly unencryptedRegex?: string | undefined;
  readonly encryptedRegex?: string | undefined;
  readonly unencryptedCommentRegex?: string | undefined;
  readonly encryptedCommentRegex?: string | undefined;
}

/** The settings `encryptFile` needs. */
export interface EncryptSettings {
  readonly keyGroups: MasterKeyRef[][];
  readonly shamirThreshold: number;
  readonly rules: RuleSet;
  readonly macOnlyEncrypted: boolean;
  readonly config: SopsConfig | undefined;
}

/**
 * Load `.sops.yaml` from `--config`, `SOPS_CONFIG`, or by walking up from the working directory.
 * @throws SigilError `input.not_found` / `config.invalid` for an unreadable or invalid file.
 */
export function loadConfig(ctx: CliContext, flag: string | undefined, context?: Readonly<Record<string, string>>): SopsConfig | undefined {
  const explicit = flag ?? ctx.env[SOPS_CONFIG_ENV];
  if (explicit !== undefined && explicit !== "") return loadSopsConfig(absolute(ctx, explicit), context);
  const found = findConfigFile(ctx.cwd);
  if (found.warning !== undefined) ctx.logger.warn(found.warning);
  return found.path === undefined ? undefined : loadSopsConfig(found.path, context);
}

function flagOrEnv(ctx: CliContext, flag: string | undefined, env: string): string {
  return flag ?? ctx.env[env] ?? "";
}

/** @throws SigilError `input.invalid` for a non-numeric threshold. */
export function parseThreshold(s: string | undefined): number {
  if (s === undefined || s === "") return 0;
  if (!/^\d+$/.test(s)) throw new SigilError("input.invalid", `--shamir-secret-sharing-threshold must be a number, got '${s}'`);
  return Number(s);
}

function flagRules(flags: KeyFlags): RuleSet {
  const values: Record<(typeof RULE_FIELDS)[number], string | undefined> = {
    unencrypted_suffix: flags.unencryptedSuffix,
    encrypted_suffix: flags.encryptedSuffix,
    unencrypted_regex: flags.unencryptedRegex,
    encrypted_regex: flags.encryptedRegex,
    unencrypted_comment_regex: flags.unencryptedCommentRegex,
    encrypted_comment_regex: flags.encryptedCommentRegex,
  };
  const out: RuleSet = {};
  for (const f of RULE_FIELDS) {
    const v = values[f];
    if (v !== undefined && v !== "") out[f] = v;
  }
  return out;
}

function mergedRules(flags: KeyFlags, rule: CreationRule | undefined): RuleSet {
  const fromFlags = flagRules(flags);
  const out: RuleSet = {};
  for (const f of RULE_FIELDS) {
    const v = fromFlags[f] ?? rule?.rules[f];
    if (v !== undefined) out[f] = v;
  }
  const set = RULE_FIELDS.filter((f) => out[f] !== undefined);
  if (set.length > 1) throw new SigilError("config.invalid", `only one of the encryption rules may be used, found ${set.join(" and ")}`);
  return out;
}

/**
 * Work out the keys and rules for encrypting `name`: key flags (or their
 * environment variables) win; otherwise the matching creation rule.
 * @throws SigilError `provider.not_configured` when there are no keys, `config.invalid`, `input.invalid`.
 */
export function encryptSettings(ctx: CliContext, flags: KeyFlags, name: string | undefined): EncryptSettings {
  for (const [flag, label] of [[flags.pgp, "--pgp"], [flags.gcpKms, "--gcp-kms"], [flags.azureKv, "--azure-kv"]] as const) {
    if (flag !== undefined && flag !== "") throw new SigilError("input.invalid", `${label} is not supported by sigil (supported: --age, --kms, --hc-vault-transit)`);
  }
  const context = parseEncryptionContext(flags.encryptionContext ?? "");
  const config = loadConfig(ctx, flags.config, context);
  const rule = config?.creationRules === undefined ? undefined : ruleForFile(config, name ?? absolute(ctx, "stdin"));
  const flagKeys: MasterKeyRef[] = [
    ...kmsKeys(flagOrEnv(ctx, flags.kms, SOPS_KMS_ARN_ENV), context, flags.awsProfile),
    ...vaultKeys(flagOrEnv(ctx, flags.hcVaultTransit, SOPS_VAULT_URIS_ENV)),
    ...ageKeys(flagOrEnv(ctx, flags.age, SOPS_AGE_RECIPIENTS_ENV)),
  ];
  const keyGroups = flagKeys.length > 0 ? [flagKeys] : rule?.keyGroups;
  if (keyGroups === undefined || keyGroups.length === 0 || keyGroups.every((g) => g.length === 0)) {
    throw new SigilError("provider.not_configured", "config file not found, or has no creation rules, and no keys provided through command line options");
  }
  const threshold = parseThreshold(flags.shamirSecretSharingThreshold);
  return {
    keyGroups,
    shamirThreshold: threshold !== 0 ? threshold : (rule?.shamirThreshold ?? 0),
    rules: mergedRules(flags, rule),
    macOnlyEncrypted: flags.macOnlyEncrypted === true || rule?.macOnlyEncrypted === true,
    config,
  };
}

/**
 * sops takes `--config`, `--mac-only-encrypted` and the comment-regex flags
 * before the subcommand (`sops --config c.yaml encrypt f`). Register them on
 * the root program too, once, so `alias sops=sigil` keeps working; commands
 * read them with `optsWithGlobals()`.
 */
export function addSopsGlobalOptions(program: Command): void {
  const has = (flag: string): boolean => program.options.some((o) => o.long === flag);
  if (!has("--config")) program.option("--config <file>", "sops commands: path of .sops.yaml (env SOPS_CONFIG)");
  if (!has("--mac-only-encrypted")) program.option("--mac-only-encrypted", "sops encrypt: compute the MAC over encrypted values only");
  if (!has("--unencrypted-comment-regex")) program.option("--unencrypted-comment-regex <regex>", "sops encrypt: leave values after a matching comment in clear");
  if (!has("--encrypted-comment-regex")) program.option("--encrypted-comment-regex <regex>", "sops encrypt: encrypt only values after a matching comment");
}
