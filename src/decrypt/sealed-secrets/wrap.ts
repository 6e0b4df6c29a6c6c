/**
 * Private keys protected at rest (Sigil's extension to bitnami's key
 * Secrets, docs/sealed-secrets-keys.md). The wrapped form of a key Secret:
 *
 * - label `sealedsecrets.bitnami.com/sealed-secrets-key: wrapped` (bitnami's
 *   controller selects only `active`, so it ignores wrapped keys instead of
 *   failing on them);
 * - annotation `sealedsecrets.sigil.dev/wrapped-by`: JSON of the provider key
 *   reference (`{"type":"age","recipient":"age1…"}`, a KMS key, or a Vault
 *   transit key);
 * - `data["tls.key.wrapped"]`: the provider's wrapped string (UTF-8) of the
 *   PKCS#1 DER private key; `data["tls.key"]` is empty (the `kubernetes.io/tls`
 *   type requires the key to exist); `data["tls.crt"]` is the certificate.
 */
import { createPrivateKey } from "node:crypto";
import { SigilError, isSigilError } from "../../core/index.js";
import { ageRecipientRef, kmsKeyRef, parseVaultTransitUri } from "../../providers/index.js";
import type { MasterKeyRef, ProviderRegistry } from "../../providers/index.js";
import { decodeBase64Strict } from "./codec.js";
import { SEALING_KEY_LABEL, SEALING_KEY_WRAPPED, TLS_KEY, TLS_KEY_WRAPPED, WRAPPED_BY_ANNOTATION } from "./constants.js";
import { isWrappedKeySecret, keySecretCertificate, sealingKeyFromSecret, withCertificate } from "./key-secret.js";
import { sealingKeyFromPrivateKey } from "./keys.js";
import type { SealingKey } from "./keys.js";
import type { SecretObject } from "./types.js";
import { subjectOf } from "./types.js";

/**
 * Parse a provider key reference as given to `--wrap-with`: an age recipient
 * (`age1…`), a KMS key ARN (optionally `+roleARN`), or a Vault transit key URI
 * (`https://host:8200/v1/<engine>/keys/<name>`).
 * @throws SigilError `provider.invalid_key` when it is none of these.
 */
export function parseWrapRef(text: string): MasterKeyRef {
  const value = text.trim();
  if (value.startsWith("age1")) return ageRecipientRef(value);
  if (value.startsWith("arn:")) return kmsKeyRef(value);
  if (/^https?:\/\//.test(value)) return parseVaultTransitUri(value);
  throw new SigilError("provider.invalid_key", "expected an age recipient (age1…), a kms key arn, or a vault transit key url", { subject: value });
}

/**
 * The provider key reference a wrapped key Secret names.
 * @throws SigilError `input.invalid` when the annotation is missing or not a key reference.
 */
export function wrappedKeyRef(secret: SecretObject, subject: string): MasterKeyRef {
  const raw = secret.metadata.annotations?.[WRAPPED_BY_ANNOTATION];
  if (raw === undefined) throw new SigilError("input.invalid", `wrapped key secret has no ${WRAPPED_BY_ANNOTATION} annotation`, { subject });
  let ref: unknown;
  try {
    ref = JSON.parse(raw);
  } catch {
    throw new SigilError("input.invalid", `${WRAPPED_BY_ANNOTATION} is not json`, { subject });
  }
  const type = (ref as { type?: unknown } | null)?.type;
  if (type !== "age" && type !== "kms" && type !== "hc_vault") {
    throw new SigilError("input.invalid", `${WRAPPED_BY_ANNOTATION} does not name an age, kms or hc_vault key`, { subject });
  }
  return ref as MasterKeyRef;
}

/**
 * Turn a plain key Secret into its wrapped form: the private key is wrapped
 * by `ref` through `providers`, and the clear `tls.key` is emptied.
 * @throws SigilError `provider.*` from the provider (unreachable, denied, …); `input.invalid` when the Secret has no plain key.
 */
export async function wrapKeySecret(secret: SecretObject, ref: MasterKeyRef, providers: ProviderRegistry): Promise<SecretObject> {
  const subject = subjectOf("Secret", secret.metadata);
  const key = sealingKeyFromSecret(secret, subject);
  const der = key.privateKey.export({ format: "der", type: "pkcs1" });
  let wrapped: string;
  try {
    wrapped = await providers.require(ref).wrap(ref, der);
  } finally {
    der.fill(0);
  }
  const out = structuredClone(secret);
  out.metadata.labels = { ...(out.metadata.labels ?? {}), [SEALING_KEY_LABEL]: SEALING_KEY_WRAPPED };
  out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [WRAPPED_BY_ANNOTATION]: JSON.stringify(ref) };
  out.data = { ...(out.data ?? {}), [TLS_KEY]: "", [TLS_KEY_WRAPPED]: Buffer.from(wrapped, "utf8").toString("base64") };
  return out;
}

/**
 * Load the sealing key of a wrapped key Secret: unwrap it in memory through
 * `providers` and check it against the certificate.
 * @throws SigilError with the provider's code (`provider.unreachable`, `provider.denied`, …) naming the Secret and the provider key; `sealed.no_key` when no configured identity or credential can unwrap it; `sealed.cert_invalid` when it does not match `tls.crt`.
 */
export async function loadWrappedKeySecret(secret: SecretObject, providers: ProviderRegistry, source?: string): Promise<SealingKey> {
  const subject = source ?? subjectOf("Secret", secret.metadata);
  const ref = wrappedKeyRef(secret, subject);
  const provider = providers.require(ref);
  const enc = decodeBase64Strict(secret.data?.[TLS_KEY_WRAPPED] ?? "", TLS_KEY_WRAPPED).toString("utf8");
  let der: Uint8Array | null;
  try {
    der = await provider.unwrap(ref, enc);
  } catch (cause) {
    const code = isSigilError(cause) ? cause.code : "provider.failed";
    throw new SigilError(code, `cannot unwrap the sealing key with ${provider.describe(ref)}`, { subject, cause });
  }
  if (der === null) {
    throw new SigilError("sealed.no_key", `no configured identity or credential can unwrap the sealing key (${provider.describe(ref)})`, { subject });
  }
  const buf = Buffer.from(der);
  try {
    const privateKey = createPrivateKey({ key: buf, format: "der", type: "pkcs1" });
    return withCertificate(sealingKeyFromPrivateKey(privateKey, subject), keySecretCertificate(secret, subject), subject);
  } catch (cause) {
    if (isSigilError(cause)) throw cause;
    throw new SigilError("sealed.cert_invalid", "the unwrapped private key does not parse as pkcs#1", { subject });
  } finally {
    buf.fill(0);
  }
}

/**
 * Load a key Secret, plain or wrapped.
 * @throws SigilError as {@link sealingKeyFromSecret} and {@link loadWrappedKeySecret}; `provider.not_configured` for a wrapped key without `providers`.
 */
export async function loadKeySecret(secret: SecretObject, providers?: ProviderRegistry, source?: string): Promise<SealingKey> {
  if (!isWrappedKeySecret(secret)) return sealingKeyFromSecret(secret, source);
  if (providers === undefined) {
    throw new SigilError("provider.not_configured", "the private key is wrapped by a key provider, and no providers are configured", {
      subject: source ?? subjectOf("Secret", secret.metadata),
    });
  }
  return loadWrappedKeySecret(secret, providers, source);
}
