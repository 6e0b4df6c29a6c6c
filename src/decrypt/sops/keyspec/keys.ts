/**
 * Master keys from the strings users write on the command line and in
 * `.sops.yaml`. The parsing itself is the providers' (one place validates
 * recipients, ARNs and URIs); these are the list forms the sops CLI uses.
 */
import { parseAgeRecipients, parseEncryptionContext as parseContext, parseKmsArns, parseVaultTransitUri, parseVaultTransitUris } from "../../../providers/index.js";
import type { AgeKeyRef, KmsKeyRef, VaultKeyRef } from "../../../providers/index.js";

/** Split a comma list, trimming items and dropping empty ones. */
export function splitList(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
}

/**
 * Age recipients from a comma list.
 * @throws SigilError `provider.invalid_key` for an invalid recipient.
 */
export function ageKeys(list: string): AgeKeyRef[] {
  return parseAgeRecipients(list);
}

/**
 * KMS keys from `arn[+roleArn],…`, each with the given context and profile.
 * @throws SigilError `provider.invalid_key` for an invalid ARN.
 */
export function kmsKeys(list: string, context?: Readonly<Record<string, string>>, awsProfile?: string): KmsKeyRef[] {
  return parseKmsArns(list, { context, awsProfile });
}

/**
 * A Vault transit key from `https://vault:8200/v1/<engine path>/keys/<name>`.
 * @throws SigilError `provider.invalid_key` when the URI does not have that shape.
 */
export function vaultKey(uri: string): VaultKeyRef {
  return parseVaultTransitUri(uri);
}

/** Vault transit keys from a comma list of URIs. */
export function vaultKeys(list: string): VaultKeyRef[] {
  return parseVaultTransitUris(list);
}

/**
 * An encryption context from `k:v,k2:v2`, or undefined for an empty string.
 * @throws SigilError `input.invalid` for a malformed item.
 */
export function parseEncryptionContext(s: string): Record<string, string> | undefined {
  const out = parseContext(s);
  return Object.keys(out).length === 0 ? undefined : out;
}
