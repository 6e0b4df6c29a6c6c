/**
 * Sealing: a Secret to a SealedSecret for a public key, as kubeseal does
 * (docs/formats.md#b3-the-sealedsecret-object, #b6-kubeseal), and single raw values (`--raw`).
 */
import type { KeyObject } from "node:crypto";
import { SigilError, SEAL_MAX_KEYS } from "../../core/index.js";
import { decodeBase64Strict, encodeBlob, hybridEncrypt } from "./codec.js";
import type { HybridEncryptOptions } from "./codec.js";
import { LAST_APPLIED_ANNOTATIONS, SEALED_SECRET_API_VERSION, SEALED_SECRET_KIND } from "./constants.js";
import { encryptionLabel, scopeFromAnnotations, withScopeAnnotations } from "./scope.js";
import type { Scope } from "./scope.js";
import type { ObjectMeta, SealedSecretObject, SecretObject } from "./types.js";
import { subjectOf } from "./types.js";

/** Options of {@link sealSecret}. */
export interface SealOptions {
  /** Scope to force (`--scope`); undefined keeps the Secret's own scope annotations. */
  readonly scope: Scope | undefined;
  /** Seal a Secret with no data (`--allow-empty-data`). */
  readonly allowEmptyData: boolean;
  readonly randomBytes: HybridEncryptOptions["randomBytes"] | undefined;
}

export function defaultSealOptions(): SealOptions {
  return { scope: undefined, allowEmptyData: false, randomBytes: undefined };
}

/** Server-side fields kubeseal clears from the input Secret. */
const SERVER_FIELDS = ["selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"];

function templateMeta(meta: ObjectMeta): ObjectMeta {
  const copy: ObjectMeta = Object.fromEntries(
    Object.entries(structuredClone(meta)).filter(([field]) => !SERVER_FIELDS.includes(field) && field !== "ownerReferences"),
  );
  if (copy.annotations !== undefined) {
    copy.annotations = Object.fromEntries(Object.entries(copy.annotations).filter(([key]) => !LAST_APPLIED_ANNOTATIONS.includes(key)));
  }
  return copy;
}

/** The plaintext bytes of each Secret key: decoded `data`, then `stringData` (which wins). */
function plaintextEntries(secret: SecretObject): [string, Buffer][] {
  const out = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(secret.data ?? {})) out.set(key, decodeBase64Strict(value, `data "${key}"`));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) out.set(key, Buffer.from(value, "utf8"));
  return [...out];
}

/**
 * Seal every value of `secret` for `publicKey`.
 * @throws SigilError `input.invalid` naming the Secret when it has no name, no namespace (unless cluster-wide), no data (unless allowed) or bad base64 in `data`.
 */
export function sealSecret(secret: SecretObject, publicKey: KeyObject, options: Partial<SealOptions> = {}): SealedSecretObject {
  const opts = { ...defaultSealOptions(), ...options };
  const subject = subjectOf("Secret", secret.metadata);
  const meta = structuredClone(secret.metadata);
  if (opts.scope !== undefined) meta.annotations = withScopeAnnotations(meta.annotations, opts.scope);
  if (meta.annotations !== undefined && Object.keys(meta.annotations).length === 0) delete meta.annotations;
  const scope = scopeFromAnnotations(meta.annotations);
  if ((meta.name ?? "") === "") throw new SigilError("input.invalid", "missing metadata.name in input Secret", { subject });
  if (scope !== "cluster-wide" && (meta.namespace ?? "") === "") {
    throw new SigilError("input.invalid", `a ${scope} secret must declare a namespace`, { subject });
  }
  let entries: [string, Buffer][];
  try {
    entries = plaintextEntries(secret);
  } catch (err) {
    throw err instanceof SigilError ? new SigilError("input.invalid", err.message, { subject }) : err;
  }
  if (entries.length > SEAL_MAX_KEYS) {
    throw new SigilError("input.too_large", `the Secret has ${entries.length} keys, more than the limit of ${SEAL_MAX_KEYS}`, { subject });
  }
  if (entries.length === 0 && !opts.allowEmptyData) {
    throw new SigilError("input.invalid", "secret.data is empty in input Secret; pass --allow-empty-data to seal it anyway", { subject });
  }
  const label = encryptionLabel(meta.namespace ?? "", meta.name ?? "", scope);
  const encOpts = opts.randomBytes === undefined ? {} : { randomBytes: opts.randomBytes };
  const encryptedData: Record<string, string> = {};
  for (const [key, value] of entries) encryptedData[key] = encodeBlob(hybridEncrypt(publicKey, value, label, encOpts));
  return buildSealedSecret(meta, secret, encryptedData, scope);
}

function buildSealedSecret(meta: ObjectMeta, secret: SecretObject, encryptedData: Record<string, string>, scope: Scope): SealedSecretObject {
  const ownMeta: ObjectMeta = { name: meta.name ?? "" };
  if (meta.namespace !== undefined && meta.namespace !== "") ownMeta.namespace = meta.namespace;
  const scopeAnnotations = withScopeAnnotations(undefined, scope);
  if (Object.keys(scopeAnnotations).length > 0) ownMeta.annotations = scopeAnnotations;
  const template: SealedSecretObject["spec"]["template"] = { metadata: templateMeta(meta) };
  if (secret.type !== undefined) template.type = secret.type;
  if (secret.immutable !== undefined) template.immutable = secret.immutable;
  return {
    apiVersion: SEALED_SECRET_API_VERSION,
    kind: SEALED_SECRET_KIND,
    metadata: ownMeta,
    spec: { template, encryptedData },
  };
}

/** What a raw value is bound to. */
export interface RawTarget {
  readonly scope: Scope;
  readonly namespace: string;
  readonly name: string;
}

/**
 * Seal one value (`kubeseal --raw`): padded base64 of the blob, no newline.
 * @throws SigilError `input.invalid` when the scope needs a namespace or name that is missing.
 */
export function sealRaw(value: Uint8Array, target: RawTarget, publicKey: KeyObject, options: Partial<HybridEncryptOptions> = {}): string {
  if (target.scope !== "cluster-wide" && target.namespace === "") {
    throw new SigilError("input.invalid", `must provide the --namespace flag with --raw and --scope ${target.scope}`);
  }
  if (target.scope === "strict" && target.name === "") {
    throw new SigilError("input.invalid", "must provide the --name flag with --raw and --scope strict");
  }
  return encodeBlob(hybridEncrypt(publicKey, value, encryptionLabel(target.namespace, target.name, target.scope), options));
}
