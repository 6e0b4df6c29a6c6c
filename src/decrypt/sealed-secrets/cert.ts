/**
 * Sealing certificates: generating a key pair with its self-signed
 * certificate the way bitnami's controller does (docs/formats.md#b4-controller-keys-and-endpoints), and reading
 * certificates back. RSA keys come from `node:crypto`; `node-forge` is used
 * only to build and sign the X.509 structure.
 */
import { X509Certificate, generateKeyPair as generateKeyPairCb, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import type Forge from "node-forge";
import { SigilError, registerSecret } from "../../core/index.js";
import { DEFAULT_KEY_SIZE, DEFAULT_KEY_TTL_MS } from "./constants.js";

const generateKeyPair = promisify(generateKeyPairCb);

let forgeModule: typeof Forge | undefined;

/** node-forge is loaded on the first certificate signed, not at start-up (it is about 1.5 MB of the operator's start-up heap). */
function loadForge(): typeof Forge {
  forgeModule ??= createRequire(import.meta.url)("node-forge") as typeof Forge;
  return forgeModule;
}

/** A parsed certificate. */
export interface SealingCertificate {
  /** The certificate as one PEM block. */
  readonly pem: string;
  readonly publicKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Options of {@link generateSealingKeyPair} and {@link selfSignCertificate}. */
export interface KeyGenOptions {
  /** RSA modulus size in bits (bitnami `--key-size`). */
  readonly keySize: number;
  /** Certificate validity (bitnami `--key-ttl`), in milliseconds. */
  readonly validForMs: number;
  /** Subject and issuer common name (bitnami `--my-cn`). */
  readonly commonName: string;
  readonly now: () => Date;
  readonly randomBytes: (size: number) => Buffer;
}

export function defaultKeyGenOptions(): KeyGenOptions {
  return { keySize: DEFAULT_KEY_SIZE, validForMs: DEFAULT_KEY_TTL_MS, commonName: "", now: () => new Date(), randomBytes };
}

/** A freshly generated key pair. */
export interface GeneratedKeyPair {
  readonly privateKey: KeyObject;
  /** PKCS#1 `RSA PRIVATE KEY` PEM, as bitnami stores `tls.key`. */
  readonly privateKeyPem: string;
  readonly certificate: SealingCertificate;
}

/**
 * Generate an RSA key pair (default 4096 bits) and its self-signed certificate.
 * @throws SigilError `internal` when key generation or signing fails.
 */
export async function generateSealingKeyPair(options: Partial<KeyGenOptions> = {}): Promise<GeneratedKeyPair> {
  const opts = { ...defaultKeyGenOptions(), ...options };
  const { privateKey } = await generateKeyPair("rsa", { modulusLength: opts.keySize, publicExponent: 0x10001 });
  const certPem = selfSignCertificate(privateKey, opts);
  const privateKeyPem = privateKey.export({ format: "pem", type: "pkcs1" }).toString();
  registerSecret(privateKeyPem, { pin: true });
  return {
    privateKey,
    privateKeyPem,
    certificate: parseCertificate(certPem, "generated certificate"),
  };
}

/** A positive DER INTEGER below 2^128, minimally encoded, as hex. */
function serialHex(random: (size: number) => Buffer): string {
  const bytes = random(16);
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const hex = bytes.subarray(start).toString("hex");
  return (bytes[start] ?? 0) & 0x80 ? `00${hex}` : hex;
}

/**
 * A self-signed certificate for `privateKey`, shaped like bitnami's: random
 * serial below 2^128, CN = `commonName` (empty by default), NotBefore = now,
 * NotAfter = now + validity, KeyUsage EncipherOnly, BasicConstraints CA, SHA-256 signature.
 * @throws SigilError `internal` when signing fails.
 */
export function selfSignCertificate(privateKey: KeyObject, options: Partial<KeyGenOptions> = {}): string {
  const opts = { ...defaultKeyGenOptions(), ...options };
  try {
    const forge = loadForge();
    const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ format: "pem", type: "pkcs1" }).toString());
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
    cert.serialNumber = serialHex(opts.randomBytes);
    const now = new Date(Math.floor(opts.now().getTime() / 1000) * 1000);
    cert.validity.notBefore = now;
    cert.validity.notAfter = new Date(now.getTime() + opts.validForMs);
    const name = opts.commonName === "" ? [] : [{ name: "commonName", value: opts.commonName }];
    cert.setSubject(name);
    cert.setIssuer(name);
    cert.setExtensions([
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", encipherOnly: true, critical: true },
      { name: "subjectKeyIdentifier" },
    ]);
    cert.sign(forgeKey, forge.md.sha256.create());
    return forge.pki.certificateToPem(cert).replace(/\r\n/g, "\n");
  } catch (cause) {
    throw new SigilError("internal", "could not create the self-signed sealing certificate", { cause });
  }
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

/**
 * Parse the first certificate in a PEM text.
 * @throws SigilError `sealed.cert_invalid` naming `source` when there is none, it does not parse, or its key is not RSA.
 */
export function parseCertificate(pem: string, source: string): SealingCertificate {
  const block = CERT_BLOCK.exec(pem)?.[0];
  if (block === undefined) throw new SigilError("sealed.cert_invalid", "no pem certificate found", { subject: source });
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(block);
  } catch (cause) {
    throw new SigilError("sealed.cert_invalid", "the certificate does not parse", { subject: source, cause });
  }
  if (x509.publicKey.asymmetricKeyType !== "rsa") {
    throw new SigilError("sealed.cert_invalid", `expected an rsa public key in the certificate, found ${x509.publicKey.asymmetricKeyType ?? "unknown"}`, {
      subject: source,
    });
  }
  return {
    pem: `${block}\n`,
    publicKey: x509.publicKey,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
}

/**
 * The certificate to seal with: parsed, RSA, and not expired (kubeseal refuses expired certificates).
 * @throws SigilError `sealed.cert_expired` when NotAfter is before `now`; `sealed.cert_invalid` as {@link parseCertificate}.
 */
export function sealingCertificate(pem: string, source: string, now: Date = new Date()): SealingCertificate {
  const cert = parseCertificate(pem, source);
  if (cert.notAfter.getTime() < now.getTime()) {
    throw new SigilError("sealed.cert_expired", `refusing to seal with a certificate that expired on ${cert.notAfter.toISOString().slice(0, 10)}`, {
      subject: source,
    });
  }
  return cert;
}
