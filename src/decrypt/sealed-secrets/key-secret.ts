/**
 * Key Secrets as bitnami's controller writes and reads them (docs/formats.md#b4-controller-keys-and-endpoints): type
 * `kubernetes.io/tls`, label `sealedsecrets.bitnami.com/sealed-secrets-key`,
 * `tls.key` = PKCS#1 PEM, `tls.crt` = PEM certificate(s), generateName
 * `sealed-secrets-key`. Wrapped keys (Sigil's extension) are in `wrap.ts`.
 */
import { SigilError } from "../../core/index.js";
import { parseCertificate } from "./cert.js";
import type { SealingCertificate } from "./cert.js";
import { decodeBase64Strict } from "./codec.js";
import {
  SEALING_KEY_ACTIVE,
  SEALING_KEY_GENERATE_NAME,
  SEALING_KEY_LABEL,
  SEALING_KEY_WRAPPED,
  TLS_CERT,
  TLS_KEY,
  TLS_KEY_WRAPPED,
  TLS_SECRET_TYPE,
} from "./constants.js";
import { privateKeysFromPem } from "./keys.js";
import type { SealingKey } from "./keys.js";
import type { ObjectMeta, SecretObject } from "./types.js";
import { subjectOf } from "./types.js";

/** Options of {@link buildKeySecret}. */
export interface KeySecretOptions {
  /** The controller namespace. */
  readonly namespace: string;
  readonly generateName: string;
  /** Extra labels (bitnami `--privatekey-labels`); the key label cannot be overridden. */
  readonly labels: Readonly<Record<string, string>>;
  /** Extra annotations (bitnami `--privatekey-annotations`). */
  readonly annotations: Readonly<Record<string, string>>;
}

export function defaultKeySecretOptions(): KeySecretOptions {
  return { namespace: "kube-system", generateName: SEALING_KEY_GENERATE_NAME, labels: {}, annotations: {} };
}

/** A private key and its certificate as PEM text. */
export interface KeyPairPem {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

/** A plain, bitnami-compatible key Secret for a key pair. */
export function buildKeySecret(pair: KeyPairPem, options: Partial<KeySecretOptions> = {}): SecretObject {
  const opts = { ...defaultKeySecretOptions(), ...options };
  const metadata: ObjectMeta = {
    generateName: opts.generateName,
    namespace: opts.namespace,
    labels: { ...opts.labels, [SEALING_KEY_LABEL]: SEALING_KEY_ACTIVE },
  };
  if (Object.keys(opts.annotations).length > 0) metadata.annotations = { ...opts.annotations };
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata,
    type: TLS_SECRET_TYPE,
    data: {
      [TLS_CERT]: Buffer.from(pair.certificatePem, "utf8").toString("base64"),
      [TLS_KEY]: Buffer.from(pair.privateKeyPem, "utf8").toString("base64"),
    },
  };
}

/** True when a Secret is a sealing key Secret (plain `active` or Sigil-`wrapped`). */
export function isKeySecret(secret: SecretObject): boolean {
  const value = secret.metadata.labels?.[SEALING_KEY_LABEL];
  return value === SEALING_KEY_ACTIVE || value === SEALING_KEY_WRAPPED;
}

/** True when the key Secret stores its private key wrapped by a provider. */
export function isWrappedKeySecret(secret: SecretObject): boolean {
  return (secret.data?.[TLS_KEY_WRAPPED] ?? "") !== "";
}

/**
 * The certificate of a key Secret, if `tls.crt` holds one.
 * @throws SigilError `sealed.cert_invalid` when `tls.crt` is present but does not parse.
 */
export function keySecretCertificate(secret: SecretObject, source: string): SealingCertificate | undefined {
  const crt = secret.data?.[TLS_CERT];
  if (crt === undefined || crt === "") return undefined;
  return parseCertificate(decodeBase64Strict(crt, TLS_CERT).toString("utf8"), source);
}

/**
 * The sealing key of a plain key Secret (or a Secret backup).
 * @throws SigilError `input.invalid` when there is no `tls.key` or it is wrapped (use `loadWrappedKeySecret`), `sealed.cert_invalid` when the certificate does not belong to the key.
 */
export function sealingKeyFromSecret(secret: SecretObject, source?: string): SealingKey {
  const subject = source ?? subjectOf("Secret", secret.metadata);
  if (isWrappedKeySecret(secret)) {
    throw new SigilError("input.invalid", "the private key is wrapped by a key provider; a provider registry is needed to load it", { subject });
  }
  const tlsKey = secret.data?.[TLS_KEY];
  if (tlsKey === undefined || tlsKey === "") throw new SigilError("input.invalid", `secret must contain a '${TLS_KEY}' data key`, { subject });
  const pem = decodeBase64Strict(tlsKey, TLS_KEY).toString("utf8");
  return withCertificate(privateKeysFromPem(pem, subject)[0], keySecretCertificate(secret, subject), subject);
}

/**
 * Attach a certificate to a key after checking it carries the key's public half.
 * @throws SigilError `sealed.cert_invalid` when the certificate is for another key.
 */
export function withCertificate(key: SealingKey | undefined, cert: SealingCertificate | undefined, subject: string): SealingKey {
  if (key === undefined) throw new SigilError("input.invalid", "no private key found", { subject });
  if (cert === undefined) return key;
  const certDer = cert.publicKey.export({ format: "der", type: "spki" });
  if (!certDer.equals(key.publicKey.export({ format: "der", type: "spki" }))) {
    throw new SigilError("sealed.cert_invalid", `${TLS_CERT} does not belong to the private key`, { subject });
  }
  return { ...key, certificate: cert };
}
