/**
 * Master keys and encryption settings for the sops-compatible commands, from
 * flags, their sops environment variables, and `.sops.yaml`.
 */
import { SigilError } from "../../../core/index.js";
import { RULE_FIELDS, requireUsableKeys, resolveCreationRule } from "../../../decrypt/index.js";
import type { CreationRuleSettings, RuleSet } from "../../../decrypt/index.js";
import { parseAgeRecipients, parseEncryptionContext, parseKmsArns, parseVaultTransitUris } from "../../../providers/index.js";
import type { MasterKeyRef } from "../../../providers/index.js";
import type { CliContext } from "../../context.js";
import { parseThreshold } from "../../shared/index.js";
import { loadCliSopsConfig } from "../../shared/sops-config.js";
import type { CliSopsConfig } from "../../shared/sops-config.js";
import { userPath } from "../../shared/user-files.js";

/** Default age recipients for `encrypt` (as `--age`). */
export const SOPS_AGE_RECIPIENTS_ENV = "SOPS_AGE_RECIPIENTS";
/** Default KMS ARNs for `encrypt` (as `--kms`). */
export const SOPS_KMS_ARN_ENV = "SOPS_KMS_ARN";
/** Default Vault transit URIs for `encrypt` (as `--hc-vault-transit`). */
export const SOPS_VAULT_URIS_ENV = "SOPS_VAULT_URIS";

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
  readonly keyGroups: readonly (readonly MasterKeyRef[])[];
  readonly shamirThreshold: number;
  readonly rules: RuleSet;
  readonly macOnlyEncrypted: boolean;
  /** The `.sops.yaml` used (for its store settings), if any. */
  readonly config: CliSopsConfig | undefined;
}

function flagOrEnv(ctx: CliContext, flag: string | undefined, env: string): string {
  return flag ?? ctx.env[env] ?? "";
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

/** A flag overrides the creation rule's value of the same rule; two different rules are refused, as sops does. */
function mergedRules(flags: KeyFlags, settings: CreationRuleSettings | undefined): RuleSet {
  const out: RuleSet = flagRules(flags);
  const fromConfig = settings?.rule;
  if (fromConfig !== undefined && out[fromConfig.kind] === undefined) out[fromConfig.kind] = fromConfig.value;
  const set = RULE_FIELDS.filter((f) => out[f] !== undefined);
  if (set.length > 1) throw new SigilError("config.invalid", `only one of the encryption rules may be used, found ${set.join(" and ")}`);
  return out;
}

function rejectUnsupportedFlags(flags: KeyFlags): void {
  for (const [flag, label] of [[flags.pgp, "--pgp"], [flags.gcpKms, "--gcp-kms"], [flags.azureKv, "--azure-kv"]] as const) {
    if (flag !== undefined && flag !== "") throw new SigilError("input.invalid", `${label} is not supported by sigil (supported: --age, --kms, --hc-vault-transit)`);
  }
}

/** Keys from the key flags or their environment variables, in sops' order (KMS, Vault, age). */
function flagKeys(ctx: CliContext, flags: KeyFlags, context: Readonly<Record<string, string>>): MasterKeyRef[] {
  return [
    ...parseKmsArns(flagOrEnv(ctx, flags.kms, SOPS_KMS_ARN_ENV), { context, awsProfile: flags.awsProfile }),
    ...parseVaultTransitUris(flagOrEnv(ctx, flags.hcVaultTransit, SOPS_VAULT_URIS_ENV)),
    ...parseAgeRecipients(flagOrEnv(ctx, flags.age, SOPS_AGE_RECIPIENTS_ENV)),
  ];
}

/**
 * The creation rule for `name` (undefined without a config, or when the
 * config has no `creation_rules`). `--encryption-context` is applied to the
 * rule's flat `kms` keys, as sops documents it (and `sops -e` does).
 */
function ruleFor(ctx: CliContext, loaded: CliSopsConfig | undefined, name: string | undefined, context: Readonly<Record<string, string>>): CreationRuleSettings | undefined {
  if (loaded === undefined) return undefined;
  return resolveCreationRule(loaded.config, loaded.dir, name ?? userPath(ctx, "stdin"), { cwd: ctx.cwd, encryptionContext: context });
}

/**
 * Work out the keys and rules for encrypting `name`: key flags (or their
 * environment variables) win; otherwise the matching creation rule, whose
 * keys must all be usable by Sigil.
 * @throws SigilError `provider.not_configured` when there are no keys or
 *   the rule names keys Sigil cannot use (each one named); `config.invalid`
 *   for an invalid `.sops.yaml`, no matching rule or conflicting rules;
 *   `provider.invalid_key` / `input.invalid` for bad flag values.
 */
export async function encryptSettings(ctx: CliContext, flags: KeyFlags, name: string | undefined): Promise<EncryptSettings> {
  rejectUnsupportedFlags(flags);
  const context = parseEncryptionContext(flags.encryptionContext ?? "");
  const config = await loadCliSopsConfig(ctx, flags.config);
  const settings = ruleFor(ctx, config, name, context);
  const fromFlags = flagKeys(ctx, flags, context);
  let keyGroups: readonly (readonly MasterKeyRef[])[];
  if (fromFlags.length > 0) keyGroups = [fromFlags];
  else if (settings !== undefined && config !== undefined) {
    requireUsableKeys(settings, config.path);
    keyGroups = settings.keyGroups;
  } else {
    throw new SigilError("provider.not_configured", "config file not found, or has no creation rules, and no keys provided through command line options");
  }
  const threshold = parseThreshold(flags.shamirSecretSharingThreshold);
  return {
    keyGroups,
    shamirThreshold: threshold !== 0 ? threshold : (settings?.shamirThreshold ?? 0),
    rules: mergedRules(flags, settings),
    macOnlyEncrypted: flags.macOnlyEncrypted === true || settings?.macOnlyEncrypted === true,
    config,
  };
}
