/**
 * A fast path for the one shape sops data keys almost always have: an age
 * file with X25519 stanzas and a single small payload chunk (docs/formats.md#d-age).
 * It uses `node:crypto` (X25519, HKDF, HMAC, ChaCha20-Poly1305) instead of
 * typage's web-streams pipeline, which is about ten times slower per file and
 * dominates decrypting many small files. Anything else — other stanza types,
 * multi-chunk payloads, any irregular header — returns `undefined` so the
 * caller falls back to typage, which stays the reference implementation.
 * Identities were already validated when they were loaded (native-armor.ts
 * for X25519, else typage).
 */
import {
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  timingSafeEqual,
} from "node:crypto";
import type { KeyObject } from "node:crypto";

const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const VERSION_LINE = "age-encryption.org/v1";
const CHUNK = 64 * 1024;

/** An X25519 identity prepared once for repeated use. */
export interface NativeX25519Identity {
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key (the recipient). */
  readonly publicKey: Buffer;
}

/** Decode the data part of a Bech32 string whose checksum is already known to be valid. */
function bech32Bytes(text: string): Buffer {
  const data = text.toLowerCase().slice(text.lastIndexOf("1") + 1, -6);
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const ch of data) {
    acc = (acc << 5) | BECH32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/**
 * Prepare an `AGE-SECRET-KEY-1…` identity, or return `undefined` for any
 * other kind. Never throws for a valid identity.
 */
export function nativeX25519Identity(identity: string): NativeX25519Identity | undefined {
  if (!identity.startsWith("AGE-SECRET-KEY-1")) return undefined;
  const scalar = bech32Bytes(identity);
  if (scalar.length !== 32) return undefined;
  return x25519FromScalar(scalar);
}

/** The key pair of a 32-byte X25519 private scalar. */
export function x25519FromScalar(scalar: Uint8Array): NativeX25519Identity {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, scalar]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { privateKey, publicKey: spki.subarray(spki.length - 32) };
}

interface ParsedFile {
  readonly stanzas: { readonly args: string[]; readonly body: Buffer }[];
  readonly headerNoMac: Buffer;
  readonly mac: Buffer;
  readonly payload: Buffer;
}

function b64raw(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*$/.test(text) || text.length % 4 === 1) return undefined;
  const buf = Buffer.from(text, "base64");
  return buf.toString("base64").replace(/=+$/, "") === text ? buf : undefined;
}

/** Parse the header; `undefined` for anything irregular (typage then decides). */
function parseFile(file: Buffer): ParsedFile | undefined {
  const macAt = file.indexOf("\n--- ");
  if (macAt < 0) return undefined;
  const macEnd = file.indexOf(0x0a, macAt + 1);
  if (macEnd < 0) return undefined;
  const lines = file.subarray(0, macAt).toString("latin1").split("\n");
  if (lines.shift() !== VERSION_LINE) return undefined;
  const stanzas: ParsedFile["stanzas"][number][] = [];
  while (lines.length > 0) {
    const head = lines.shift();
    if (head === undefined || !head.startsWith("-> ")) return undefined;
    const bodyLines: string[] = [];
    for (;;) {
      const line = lines.shift();
      if (line === undefined || line.length > 64) return undefined;
      bodyLines.push(line);
      if (line.length < 64) break;
    }
    const body = b64raw(bodyLines.join(""));
    if (body === undefined) return undefined;
    stanzas.push({ args: head.slice(3).split(" "), body });
  }
  const mac = b64raw(file.subarray(macAt + 5, macEnd).toString("latin1"));
  if (mac?.length !== 32) return undefined;
  return { stanzas, headerNoMac: file.subarray(0, macAt + 4), mac, payload: file.subarray(macEnd + 1) };
}

function chachaOpen(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < 16) return null;
  try {
    const d = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  } catch {
    return null;
  }
}

function hkdf(ikm: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, salt, info, 32));
}

function unwrapFileKey(stanzas: ParsedFile["stanzas"], id: NativeX25519Identity): Buffer | null {
  for (const s of stanzas) {
    if (s.args.length !== 2) return null;
    const share = b64raw(s.args[1] ?? "");
    if (share?.length !== 32 || s.body.length !== 32) return null;
    // JWK import is several times faster than DER in Node.
    const peer = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: share.toString("base64url") }, format: "jwk" });
    const shared = diffieHellman({ privateKey: id.privateKey, publicKey: peer });
    if (shared.every((b) => b === 0)) return null;
    const wrapKey = hkdf(shared, Buffer.concat([share, id.publicKey]), "age-encryption.org/v1/X25519");
    const fileKey = chachaOpen(wrapKey, Buffer.alloc(12), s.body);
    if (fileKey !== null) return fileKey;
  }
  return null;
}

/**
 * Decrypt an age file with X25519 identities.
 * @returns the plaintext; `null` when the file has X25519 stanzas but none
 *   opens with these identities, or its header MAC or payload fails to
 *   authenticate; `undefined` when the file is outside the fast path.
 * Never throws.
 */
export function decryptX25519(file: Uint8Array, identities: readonly NativeX25519Identity[]): Buffer | null | undefined {
  const parsed = parseFile(Buffer.from(file.buffer, file.byteOffset, file.byteLength));
  if (parsed === undefined || parsed.stanzas.length === 0) return undefined;
  if (parsed.stanzas.some((s) => s.args[0] !== "X25519")) return undefined;
  if (parsed.payload.length < 16 + 16 || parsed.payload.length > 16 + CHUNK + 16) return undefined;
  let fileKey: Buffer | null = null;
  for (const id of identities) {
    fileKey = unwrapFileKey(parsed.stanzas, id);
    if (fileKey !== null) break;
  }
  if (fileKey === null) return null;
  const mac = createHmac("sha256", hkdf(fileKey, Buffer.alloc(0), "header")).update(parsed.headerNoMac).digest();
  if (!timingSafeEqual(mac, parsed.mac)) return null;
  const nonce = parsed.payload.subarray(0, 16);
  const lastChunkNonce = Buffer.alloc(12);
  lastChunkNonce[11] = 1;
  return chachaOpen(hkdf(fileKey, nonce, "payload"), lastChunkNonce, parsed.payload.subarray(16));
}
