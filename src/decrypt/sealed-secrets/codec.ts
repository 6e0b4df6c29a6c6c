/**
 * The Sealed Secrets hybrid format (docs/formats.md#b1-hybrid-blob), as pure functions:
 *
 *     uint16_be(len(rsaCt)) || rsaCt || aesGcm(sessionKey, nonce=0¹², plaintext) || tag
 *
 * where `rsaCt` is RSA-OAEP (SHA-256, MGF1-SHA-256, label = scope label) of a
 * fresh 32-byte session key. No key lookup happens here: callers pass the
 * keys to try (see `unseal.ts`).
 */
import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { SigilError, decodeBase64Strict as decodeBase64 } from "../../core/index.js";

const SESSION_KEY_BYTES = 32;
const GCM_NONCE = Buffer.alloc(12);
const GCM_TAG_BYTES = 16;

/** Options of {@link hybridEncrypt}. */
export interface HybridEncryptOptions {
  /** Source of the session key (injected in tests). */
  readonly randomBytes: (size: number) => Buffer;
}

/** The defaults of {@link HybridEncryptOptions}. */
export function defaultHybridEncryptOptions(): HybridEncryptOptions {
  return { randomBytes };
}

/**
 * Encrypt one value for `publicKey` under `label`.
 * @throws SigilError `sealed.cert_invalid` when the key is not RSA or too small for OAEP-SHA256.
 */
export function hybridEncrypt(
  publicKey: KeyObject,
  plaintext: Uint8Array,
  label: Uint8Array,
  options: Partial<HybridEncryptOptions> = {},
): Buffer {
  const opts = { ...defaultHybridEncryptOptions(), ...options };
  if (publicKey.asymmetricKeyType !== "rsa") {
    throw new SigilError("sealed.cert_invalid", `sealing needs an rsa public key, got ${publicKey.asymmetricKeyType ?? "unknown"}`);
  }
  const sessionKey = opts.randomBytes(SESSION_KEY_BYTES);
  let rsaCt: Buffer;
  try {
    rsaCt = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(label) },
      sessionKey,
    );
  } catch (cause) {
    throw new SigilError("sealed.cert_invalid", "rsa-oaep encryption of the session key failed", { cause });
  }
  const cipher = createCipheriv("aes-256-gcm", sessionKey, GCM_NONCE);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(rsaCt.length);
  sessionKey.fill(0);
  return Buffer.concat([prefix, rsaCt, body]);
}

/** A blob split into its two parts. */
export interface BlobParts {
  readonly rsaCiphertext: Buffer;
  readonly aesCiphertext: Buffer;
}

/**
 * Split a blob at its length prefix.
 * @throws SigilError `sealed.invalid_blob` when the blob is shorter than its prefix says.
 */
export function splitBlob(blob: Uint8Array): BlobParts {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < 2) throw new SigilError("sealed.invalid_blob", "sealed data is too short (no length prefix)");
  const rsaLen = buf.readUInt16BE(0);
  if (buf.length < 2 + rsaLen) {
    throw new SigilError("sealed.invalid_blob", `sealed data is too short (${buf.length} bytes, the rsa part alone needs ${2 + rsaLen})`);
  }
  return { rsaCiphertext: buf.subarray(2, 2 + rsaLen), aesCiphertext: buf.subarray(2 + rsaLen) };
}

/**
 * Open a split blob with one private key.
 *
 * Returns `null` when the session key does not decrypt with this key and
 * label ("not mine": a different key, or a different scope label). Throws
 * only when the key matched but the AES-GCM part fails to authenticate.
 * @throws SigilError `sealed.invalid_blob` when the payload is truncated or tampered with.
 */
export function openWithKey(privateKey: KeyObject, parts: BlobParts, label: Uint8Array): Buffer | null {
  let sessionKey: Buffer;
  try {
    sessionKey = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(label) },
      parts.rsaCiphertext,
    );
  } catch {
    return null;
  }
  if (sessionKey.length !== SESSION_KEY_BYTES) {
    sessionKey.fill(0);
    throw new SigilError("sealed.invalid_blob", `sealed session key has ${sessionKey.length} bytes, expected ${SESSION_KEY_BYTES}`);
  }
  try {
    return gcmOpen(sessionKey, parts.aesCiphertext);
  } finally {
    sessionKey.fill(0);
  }
}

function gcmOpen(sessionKey: Buffer, aesCiphertext: Buffer): Buffer {
  if (aesCiphertext.length < GCM_TAG_BYTES) {
    throw new SigilError("sealed.invalid_blob", "sealed data is too short (the aes-gcm tag is missing)");
  }
  const tagAt = aesCiphertext.length - GCM_TAG_BYTES;
  const decipher = createDecipheriv("aes-256-gcm", sessionKey, GCM_NONCE);
  decipher.setAuthTag(aesCiphertext.subarray(tagAt));
  try {
    return Buffer.concat([decipher.update(aesCiphertext.subarray(0, tagAt)), decipher.final()]);
  } catch (cause) {
    throw new SigilError("sealed.invalid_blob", "sealed data failed aes-gcm authentication (truncated or modified)", { cause });
  }
}

/**
 * Decode padded standard base64 strictly, as Go's `StdEncoding` does (CR and
 * LF are ignored, anything else outside the alphabet is an error).
 * @throws SigilError `sealed.invalid_blob` naming `what` when the text is not valid base64.
 */
export function decodeBase64Strict(text: string, what: string): Buffer {
  const decoded = decodeBase64(text, { ignoreNewlines: true });
  if (decoded === undefined) throw new SigilError("sealed.invalid_blob", `${what} is not valid padded base64`);
  return decoded;
}

/** Encode a blob as stored in `spec.encryptedData` (padded standard base64). */
export function encodeBlob(blob: Uint8Array): string {
  return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString("base64");
}
