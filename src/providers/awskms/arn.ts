/**
 * Parsing of the strings users write for KMS keys: ARNs (with an optional
 * `+roleArn`), the `--encryption-context k:v,k2:v2` flag, and the STS
 * session name sops uses when it assumes a role.
 */
import { SigilError } from "../../core/index.js";
import type { KmsKeyRef } from "../types.js";

/** The ARN pattern sops accepts; group 1 is the region. */
export const KMS_ARN_PATTERN = /^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)\/.+$/;

/** AWS limit on `RoleSessionName`. */
export const ROLE_SESSION_NAME_MAX = 64;

/**
 * The region of a KMS key ARN (`arn:aws:kms:<region>:<account>:key/…`).
 * @throws SigilError `provider.invalid_key` when `arn` is not a KMS key or alias ARN.
 */
export function kmsRegionFromArn(arn: string): string {
  const match = KMS_ARN_PATTERN.exec(arn);
  const region = match?.[1];
  if (region === undefined) {
    throw new SigilError("provider.invalid_key", `not a kms key or alias arn (expected arn:aws:kms:<region>:<account>:key/<id>): '${arn}'`, {
      subject: arn,
    });
  }
  return region;
}

export interface KmsRefOptions {
  readonly context?: Readonly<Record<string, string>> | undefined;
  readonly awsProfile?: string | undefined;
}

/**
 * A key reference from `ARN` or `ARN+roleARN` (the `--kms` / `.sops.yaml`
 * form). Spaces are removed, as sops does.
 * @throws SigilError `provider.invalid_key` for an invalid key ARN or role.
 */
export function kmsKeyRef(arnAndRole: string, options: KmsRefOptions = {}): KmsKeyRef {
  const compact = arnAndRole.replaceAll(" ", "");
  const plus = compact.indexOf("+arn:");
  const arn = plus > 0 ? compact.slice(0, plus) : compact;
  const role = plus > 0 ? compact.slice(plus + 1) : undefined;
  kmsRegionFromArn(arn);
  if (role !== undefined && !/^arn:aws[\w-]*:iam::[0-9]+:role\/.+$/.test(role)) {
    throw new SigilError("provider.invalid_key", `not an iam role arn: '${role}'`, { subject: arnAndRole });
  }
  const context = options.context !== undefined && Object.keys(options.context).length > 0 ? { ...options.context } : undefined;
  const awsProfile = options.awsProfile === "" ? undefined : options.awsProfile;
  return {
    type: "kms",
    arn,
    ...(role === undefined ? {} : { role }),
    ...(context === undefined ? {} : { context }),
    ...(awsProfile === undefined ? {} : { awsProfile }),
  };
}

/**
 * Parse a comma-separated list of `ARN[+roleARN]` items (`--kms`,
 * `SOPS_KMS_ARN`, `.sops.yaml` `kms:`). Empty items are dropped.
 * @throws SigilError `provider.invalid_key` for the first invalid item.
 */
export function parseKmsArns(list: string, options: KmsRefOptions = {}): KmsKeyRef[] {
  return list
    .split(",")
    .filter((item) => item.trim() !== "")
    .map((item) => kmsKeyRef(item, options));
}

/**
 * Parse `--encryption-context key:value,key2:value2` into a record.
 * sops silently drops the whole context when an item is not exactly
 * `key:value`; Sigil refuses instead, so a file is never written with less
 * context than asked for. An empty string gives an empty record.
 * @throws SigilError `input.invalid` naming the bad item.
 */
export function parseEncryptionContext(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === "") return out;
  for (const item of text.split(",")) {
    const parts = item.split(":");
    const [key, value] = parts;
    if (parts.length !== 2 || key === undefined || value === undefined || key === "") {
      throw new SigilError("input.invalid", `encryption context item '${item}' is not 'key:value' (one colon, non-empty key)`, {
        subject: "--encryption-context",
      });
    }
    out[key] = value;
  }
  return out;
}

/**
 * `sops@<hostname>` with every character sops' session pattern rejects
 * removed, cut to 64 characters. sops' pattern `[^a-zA-Z0-9=,.@-_]` has a
 * range `@-_` (0x40–0x5F), so `-` is removed: `some-host` → `sops@somehost`.
 */
export function stsSessionName(hostname: string): string {
  const sanitized = hostname.replace(/[^a-zA-Z0-9=,.@-_]+/g, "");
  return `sops@${sanitized}`.slice(0, ROLE_SESSION_NAME_MAX);
}
