// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Turning the key strings of a creation rule into provider references, in
 * sops' order, using the parsers of `src/providers`. Keys Sigil has no
 * provider for become "unsupported" entries instead of being dropped.
 */
import { SigilError } from "../../../core/index.js";
import { ageRecipientKind, ageRecipientRef, kmsKeyRef, kmsRegionFromArn, parseVaultTransitUri, vaultTransitUri } from "../../../providers/index.js";
import type { KmsKeyRef, MasterKeyRef } from "../../../providers/index.js";
import type { FlatKeys, KeyGroupConfig, KmsKeyConfig, UnsupportedKey } from "./types.js";

/** One key of a group: a usable reference or an unsupported key, with sops' identity for de-duplication. */
export type KeyEntry =
  | { readonly identity: string; readonly ref: MasterKeyRef }
  | { readonly identity: string; readonly unsupported: Omit<UnsupportedKey, "group"> };

/** Where the keys come from, for messages. */
export interface KeyContext {
  readonly subject: string;
  readonly where: string;
  readonly encryptionContext: Readonly<Record<string, string>>;
}

function wrapError(ctx: KeyContext, field: string, cause: unknown): SigilError {
  const why = cause instanceof Error ? cause.message : "invalid key";
  return new SigilError("config.invalid", `${ctx.where}.${field}: ${why}`, { subject: ctx.subject, cause });
}

function unsupported(type: UnsupportedKey["type"], key: string): KeyEntry {
  return { identity: `${type}/${key}`, unsupported: { type, key } };
}

function ageEntry(ctx: KeyContext, field: string, recipient: string): KeyEntry {
  const trimmed = recipient.trim();
  const kind = ageRecipientKind(trimmed);
  if (kind === "plugin" || kind === "ssh") return unsupported("age", trimmed);
  try {
    return { identity: `age/${trimmed}`, ref: ageRecipientRef(trimmed) };
  } catch (cause) {
    throw wrapError(ctx, field, cause);
  }
}

/** sops' `ToString` of a KMS key: `arn[+role][|context][|profile]`, context sorted. */
function kmsIdentity(ref: KmsKeyRef): string {
  const arnRole = ref.role === undefined ? ref.arn : `${ref.arn}+${ref.role}`;
  const ctx = Object.keys(ref.context ?? {})
    .sort()
    .map((k) => `${k}:${ref.context?.[k] ?? ""}`)
    .join(",");
  if (ref.awsProfile !== undefined) return `kms/${arnRole}|${ctx}|${ref.awsProfile}`;
  return ctx === "" ? `kms/${arnRole}` : `kms/${arnRole}|${ctx}`;
}

function flatKmsEntry(ctx: KeyContext, item: string, awsProfile: string): KeyEntry {
  try {
    const ref = kmsKeyRef(item, { context: ctx.encryptionContext, awsProfile });
    return { identity: kmsIdentity(ref), ref };
  } catch (cause) {
    throw wrapError(ctx, "kms", cause);
  }
}

function groupKmsEntry(ctx: KeyContext, index: number, key: KmsKeyConfig): KeyEntry {
  try {
    kmsRegionFromArn(key.arn);
  } catch (cause) {
    throw wrapError(ctx, `kms[${index}].arn`, cause);
  }
  const ref: KmsKeyRef = {
    type: "kms",
    arn: key.arn,
    ...(key.role === "" ? {} : { role: key.role }),
    ...(Object.keys(key.context).length === 0 ? {} : { context: { ...key.context } }),
    ...(key.awsProfile === "" ? {} : { awsProfile: key.awsProfile }),
  };
  return { identity: kmsIdentity(ref), ref };
}

function vaultEntry(ctx: KeyContext, field: string, uri: string): KeyEntry {
  try {
    const ref = parseVaultTransitUri(uri);
    return { identity: `hc_vault/${vaultTransitUri(ref)}`, ref };
  } catch (cause) {
    throw wrapError(ctx, field, cause);
  }
}

/**
 * The keys of the flat lists, in sops' order (age, pgp, kms, gcp_kms, hckms,
 * azure_keyvault, hc_vault_transit_uri). Not de-duplicated: sops keeps
 * repeated flat keys too. The encryption context applies to the KMS keys.
 * @throws SigilError `config.invalid` naming the field for an invalid recipient, ARN or URI.
 */
export function flatEntries(ctx: KeyContext, keys: FlatKeys, awsProfile: string): KeyEntry[] {
  return [
    ...keys.age.map((r) => ageEntry(ctx, "age", r)),
    ...keys.pgp.map((fp) => unsupported("pgp", fp.replaceAll(" ", ""))),
    ...keys.kms.map((k) => flatKmsEntry(ctx, k, awsProfile)),
    ...keys.gcpKms.map((id) => unsupported("gcp_kms", id)),
    ...keys.hckms.map((id) => unsupported("hckms", id)),
    ...keys.azureKeyvault.map((url) => unsupported("azure_keyvault", url)),
    ...keys.hcVaultTransitUri.map((uri) => vaultEntry(ctx, "hc_vault_transit_uri", uri)),
  ];
}

function dedupe(entries: readonly KeyEntry[]): KeyEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    if (seen.has(e.identity)) return false;
    seen.add(e.identity);
    return true;
  });
}

function groupAge(ctx: KeyContext, items: readonly string[]): KeyEntry[] {
  return items.flatMap((item, i) => (item === "" ? [] : item.split(",").map((r) => ageEntry(ctx, `age[${i}]`, r))));
}

/**
 * The keys of one `key_groups` entry: its `merge` groups first, then age,
 * pgp, kms, gcp_kms, hckms, azure_keyvault, hc_vault; duplicates removed (by
 * sops' identity: type and key string, for KMS including role, context and profile).
 * @throws SigilError `config.invalid` naming the field for an invalid key.
 */
export function groupEntries(ctx: KeyContext, group: KeyGroupConfig): KeyEntry[] {
  const merged = group.merge.flatMap((g, i) => groupEntries({ ...ctx, where: `${ctx.where}.merge[${i}]` }, g));
  return dedupe([
    ...merged,
    ...groupAge(ctx, group.age),
    ...group.pgp.map((fp) => unsupported("pgp", fp.replaceAll(" ", ""))),
    ...group.kms.map((k, i) => groupKmsEntry(ctx, i, k)),
    ...group.gcpKms.map((id) => unsupported("gcp_kms", id)),
    ...group.hckms.map((id) => unsupported("hckms", id)),
    ...group.azureKeyvault.map((k) => unsupported("azure_keyvault", `${k.vaultUrl}/keys/${k.key}${k.version === "" ? "" : `/${k.version}`}`)),
    ...group.hcVault.flatMap((uri, i) => (uri === "" ? [] : [vaultEntry(ctx, `hc_vault[${i}]`, uri)])),
  ]);
}
