/**
 * Sealing key pairs: loading RSA private keys from PEM, the OpenSSH-style
 * fingerprint bitnami indexes keys by (docs/formats.md#b4-controller-keys-and-endpoints), and the key ring the unsealer
 * tries keys from.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { SigilError, registerSecret } from "../../core/index.js";
import type { SealingCertificate } from "./cert.js";

/** One key pair the unsealer can use. */
export interface SealingKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** `SHA256:` + unpadded base64 of SHA-256 over the SSH wire encoding of the public key. */
  readonly fingerprint: string;
  /** Modulus size in bytes (512 for 4096-bit keys): the length of the RSA part of a blob. */
  readonly modulusBytes: number;
  /** The certificate stored with the key, when known (key Secrets carry one; bare PEM keys do not). */
  readonly certificate?: SealingCertificate | undefined;
  /** Where the key came from (a file path or `Secret/ns/name`), for messages. Never key material. */
  readonly source: string;
}

function sshString(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const trimmed = unsigned.subarray(start);
  const first = trimmed[0] ?? 0;
  return sshString(first & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/**
 * The fingerprint bitnami (and `ssh-keygen -l`) gives an RSA public key.
 * @throws SigilError `sealed.cert_invalid` when the key is not RSA.
 */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.kty !== "RSA" || jwk.n === undefined || jwk.e === undefined) {
    throw new SigilError("sealed.cert_invalid", "a sealing key must be an rsa key");
  }
  const wire = Buffer.concat([
    sshString(Buffer.from("ssh-rsa")),
    sshMpint(Buffer.from(jwk.e, "base64url")),
    sshMpint(Buffer.from(jwk.n, "base64url")),
  ]);
  return `SHA256:${createHash("sha256").update(wire).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Build a {@link SealingKey} from a private key object. Registers the key's
 * PEM forms with the redactor, so they can never be printed.
 * @throws SigilError `sealed.cert_invalid` when the key is not RSA.
 */
export function sealingKeyFromPrivateKey(
  privateKey: KeyObject,
  source: string,
  certificate?: SealingCertificate,
): SealingKey {
  if (privateKey.asymmetricKeyType !== "rsa") {
    throw new SigilError("sealed.cert_invalid", `expected an rsa private key, found ${privateKey.asymmetricKeyType ?? "unknown"}`, {
      subject: source,
    });
  }
  // Pinned: a sealing key lives as long as the process, however many values are registered after it.
  registerSecret(privateKey.export({ format: "pem", type: "pkcs1" }).toString(), { pin: true });
  registerSecret(privateKey.export({ format: "pem", type: "pkcs8" }).toString(), { pin: true });
  const publicKey = createPublicKey(privateKey);
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  return {
    privateKey,
    publicKey,
    fingerprint: publicKeyFingerprint(publicKey),
    modulusBytes: Math.ceil(bits / 8),
    certificate,
    source,
  };
}

const PRIVATE_KEY_BLOCK = /-----BEGIN (RSA PRIVATE KEY|PRIVATE KEY)-----[\s\S]*?-----END \1-----/g;

/** True when `text` contains a PEM private key block (PKCS#1 or PKCS#8). */
export function looksLikePemPrivateKey(text: string): boolean {
  return new RegExp(PRIVATE_KEY_BLOCK.source).test(text);
}

/**
 * Every RSA private key (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`) in a PEM text.
 * @throws SigilError `input.invalid` naming `source` when there is none or one does not parse; `sealed.cert_invalid` for a non-RSA key.
 */
export function privateKeysFromPem(pem: string, source: string, certificate?: SealingCertificate): SealingKey[] {
  const blocks = pem.match(PRIVATE_KEY_BLOCK) ?? [];
  if (blocks.length === 0) throw new SigilError("input.invalid", "no pem private key block found", { subject: source });
  return blocks.map((block) => {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: block, format: "pem" });
    } catch (cause) {
      throw new SigilError("input.invalid", "pem private key does not parse", { subject: source, cause: scrub(cause) });
    }
    return sealingKeyFromPrivateKey(key, source, certificate);
  });
}

/** OpenSSL errors do not quote key material, but keep only their code to be certain. */
function scrub(err: unknown): Error {
  const code = (err as { code?: unknown }).code;
  return new Error(typeof code === "string" ? code : "key parse error");
}

/**
 * The keys a controller or `sigil unseal` holds. Unsealing tries every key
 * (newest first); sealing uses the newest, ordered by certificate NotBefore.
 */
export class KeyRing {
  readonly #keys = new Map<string, SealingKey>();
  #ordered: SealingKey[] | undefined;
  /** RSA private-key operations performed through this ring (for the cache benchmark). */
  privateKeyOperations = 0;

  constructor(keys: Iterable<SealingKey> = []) {
    for (const key of keys) this.add(key);
  }

  /** Add a key; a key with the same fingerprint is replaced (a later certificate wins). */
  add(key: SealingKey): void {
    this.#keys.set(key.fingerprint, key);
    this.#ordered = undefined;
  }

  /** Remove a key by fingerprint. */
  remove(fingerprint: string): boolean {
    this.#ordered = undefined;
    return this.#keys.delete(fingerprint);
  }

  has(fingerprint: string): boolean {
    return this.#keys.has(fingerprint);
  }

  get(fingerprint: string): SealingKey | undefined {
    return this.#keys.get(fingerprint);
  }

  get size(): number {
    return this.#keys.size;
  }

  /** All keys, newest certificate first; keys without a certificate come last. */
  keys(): readonly SealingKey[] {
    this.#ordered ??= [...this.#keys.values()].sort(newestFirst);
    return this.#ordered;
  }

  /** The key that seals: the newest by certificate NotBefore. */
  newest(): SealingKey | undefined {
    return this.keys()[0];
  }
}

/** Newest certificate NotBefore first; keys without a certificate last, in insertion order. */
function newestFirst(a: SealingKey, b: SealingKey): number {
  const ta = a.certificate?.notBefore.getTime();
  const tb = b.certificate?.notBefore.getTime();
  if (ta === undefined || tb === undefined) return (ta === undefined ? 1 : 0) - (tb === undefined ? 1 : 0);
  return tb - ta;
}
