/**
 * The `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value codec (docs/formats.md#a2-encrypted-values to #a4-type-tags):
 * AES-256-GCM with 32-byte IVs, the path as AAD, and Go's text forms for
 * each plaintext type. Pure: randomness is injected, nothing is logged.
 */
import { isUtf8 } from "node:buffer";
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { SigilError, decodeBase64Strict } from "../../../core/index.js";
import { Comment, SopsTime, typeTagOf } from "../tree/model.js";
import type { Scalar } from "../tree/model.js";
import { formatFloatF, parseGoBool, parseGoFloat, parseGoInt } from "./go-format.js";
import { parseRfc3339Nano } from "./go-time.js";

/** The IV length sops writes. */
export const IV_LENGTH = 32;
const TAG_LENGTH = 16;
const ENC_PREFIX = "ENC[AES256_GCM,data:";

/** The four fields of an `ENC[...]` string as text. */
export interface EncText {
  readonly data: string;
  readonly iv: string;
  readonly tag: string;
  readonly type: string;
}

/**
 * Split an `ENC[...]` string as sops' Go regex
 * `^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]` does (greedy,
 * leftmost-first, `.` not matching a newline), in linear time: that regex
 * on a backtracking engine took minutes on a 20 KB value (issue 7). Each
 * greedy group takes the last separator that still leaves room for the
 * rest, so the fields are found from the right.
 */
export function splitEncValue(s: string): EncText | undefined {
  if (!s.startsWith(ENC_PREFIX)) return undefined;
  const body = s.slice(ENC_PREFIX.length);
  const nl = body.indexOf("\n");
  const end = body.lastIndexOf("]", nl === -1 ? body.length : nl - 1);
  const c = end - 7 < 0 ? -1 : body.lastIndexOf(",type:", end - 7);
  const b = c - 6 < 0 ? -1 : body.lastIndexOf(",tag:", c - 6);
  const a = b - 5 < 1 ? -1 : body.lastIndexOf(",iv:", b - 5);
  if (a < 1) return undefined;
  return { data: body.slice(0, a), iv: body.slice(a + 4, b), tag: body.slice(b + 5, c), type: body.slice(c + 6, end) };
}

/** The decoded fields of an `ENC[...]` string. */
export interface EncFields {
  readonly data: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly type: string;
}

/** A plaintext value a leaf can hold once decrypted. */
export type PlainLeaf = Exclude<Scalar, null> | Comment;

/** Go `base64.StdEncoding.DecodeString`: padded, standard alphabet; CR/LF ignored. */
export function decodeStdBase64(s: string): Buffer | undefined {
  return decodeBase64Strict(s, { ignoreNewlines: true });
}

/** True when `s` looks like an `ENC[...]` value (the same anchored pattern sops uses). */
export function isEncValue(s: string): boolean {
  return splitEncValue(s) !== undefined;
}

/** Parse an `ENC[...]` string, or undefined when it is not one or a field is not valid base64. */
export function parseEncValue(s: string): EncFields | undefined {
  const m = splitEncValue(s);
  if (m === undefined) return undefined;
  const data = decodeStdBase64(m.data);
  const iv = decodeStdBase64(m.iv);
  const tag = decodeStdBase64(m.tag);
  if (data === undefined || iv === undefined || tag === undefined) return undefined;
  return { data, iv, tag, type: m.type };
}

/** The bytes sops encrypts and feeds to the MAC for a value (Go `sops.ToBytes`). */
export function plaintextBytes(v: PlainLeaf): Uint8Array {
  if (typeof v === "string") return Buffer.from(v, "utf8");
  if (typeof v === "bigint") return Buffer.from(v.toString(), "latin1");
  if (typeof v === "number") return Buffer.from(formatFloatF(v), "latin1");
  if (typeof v === "boolean") return Buffer.from(v ? "True" : "False", "latin1");
  if (v instanceof Comment) return Buffer.from(v.value, "utf8");
  if (v instanceof SopsTime) return Buffer.from(v.text, "latin1");
  return v;
}

/** What a decrypted plaintext becomes for a type tag, or undefined when it does not parse. */
export function leafFromPlaintext(bytes: Buffer, type: string): PlainLeaf | undefined {
  switch (type) {
    case "str":
      return isUtf8(bytes) ? bytes.toString("utf8") : new Uint8Array(bytes);
    case "int":
      return parseGoInt(bytes.toString("latin1"));
    case "float":
      return parseGoFloat(bytes.toString("latin1"));
    case "bool":
      return parseGoBool(bytes.toString("latin1"));
    case "time":
      return parseRfc3339Nano(bytes.toString("latin1"));
    case "comment":
      return new Comment(bytes.toString("utf8"));
    case "bytes":
      return new Uint8Array(bytes);
    default:
      return undefined;
  }
}

export interface ValueCipherOptions {
  /** Source of IVs (default `crypto.randomBytes`). */
  readonly randomBytes: (size: number) => Uint8Array;
  /** File the values belong to, named in errors. */
  readonly subject?: string | undefined;
}

/**
 * AES-256-GCM under one data key. The key object is created once and reused
 * for every value (the file may have 100k of them).
 */
export class ValueCipher {
  readonly #key: KeyObject;
  readonly #opts: ValueCipherOptions;
  #pool: Uint8Array = new Uint8Array(0);
  #poolAt = 0;

  /** @throws SigilError `decrypt.invalid_metadata` when the data key is not 32 bytes. */
  constructor(dataKey: Uint8Array, options: Partial<ValueCipherOptions> = {}) {
    if (dataKey.length !== 32) throw new SigilError("decrypt.invalid_metadata", "the data key is not 32 bytes", { subject: options.subject });
    this.#key = createSecretKey(dataKey);
    this.#opts = { randomBytes, ...options };
  }

  /** A fresh random IV (drawn from a pool refilled in bulk: one IV per value adds up for 100k values). */
  #nextIv(): Uint8Array {
    if (this.#poolAt + IV_LENGTH > this.#pool.length) {
      this.#pool = this.#opts.randomBytes(IV_LENGTH * 512);
      this.#poolAt = 0;
    }
    const iv = this.#pool.subarray(this.#poolAt, this.#poolAt + IV_LENGTH);
    this.#poolAt += IV_LENGTH;
    return iv;
  }

  /** Encrypt raw plaintext bytes as an `ENC[...]` string with `aad` and the type tag. */
  encryptBytes(plain: Uint8Array, aad: string, type: string, iv: Uint8Array = this.#nextIv()): string {
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(Buffer.from(aad, "utf8"));
    const data = Buffer.concat([cipher.update(plain), cipher.final()]);
    const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
    return `ENC[AES256_GCM,data:${b64(data)},iv:${b64(iv)},tag:${b64(cipher.getAuthTag())},type:${type}]`;
  }

  /** Encrypt a value with its sops type tag. Empty strings/comments are the caller's concern (never encrypted). */
  encrypt(value: PlainLeaf, aad: string, iv?: Uint8Array): string {
    return this.encryptBytes(plaintextBytes(value), aad, typeTagOf(value), iv);
  }

  /**
   * Decrypt an `ENC[...]` string to its plaintext bytes and type tag.
   * @throws SigilError `decrypt.invalid_ciphertext` when `enc` is not a well-formed value,
   *   `decrypt.mac_mismatch` when authentication fails (the value, its path or the key changed).
   */
  decryptBytes(enc: string, aad: string): { bytes: Buffer; type: string } {
    const f = parseEncValue(enc);
    const where = aad === ":" ? "at the top level" : `at '${aad.slice(0, -1)}'`;
    if (f === undefined || f.iv.length === 0 || f.tag.length !== TAG_LENGTH) {
      throw new SigilError("decrypt.invalid_ciphertext", `the value ${where} is not a well-formed ENC[AES256_GCM,...] string`, {
        subject: this.#opts.subject,
      });
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, f.iv, { authTagLength: TAG_LENGTH });
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(f.tag);
      return { bytes: Buffer.concat([decipher.update(f.data), decipher.final()]), type: f.type };
    } catch {
      throw new SigilError("decrypt.mac_mismatch", `the value ${where} failed authentication: the file was modified, or the value was moved`, {
        subject: this.#opts.subject,
      });
    }
  }

  /**
   * Decrypt an `ENC[...]` string to a typed value.
   * @throws SigilError as `decryptBytes`, and `decrypt.invalid_ciphertext` for an unknown type or a plaintext that does not parse as its type.
   */
  decrypt(enc: string, aad: string): PlainLeaf {
    const { bytes, type } = this.decryptBytes(enc, aad);
    const leaf = leafFromPlaintext(bytes, type);
    if (leaf === undefined) {
      throw new SigilError("decrypt.invalid_ciphertext", `a value of type '${type.slice(0, 20)}' at '${aad.slice(0, -1)}' could not be read as that type`, {
        subject: this.#opts.subject,
      });
    }
    return leaf;
  }
}
