/**
 * Strict padded base64 (Go's `base64.StdEncoding` / `URLEncoding`): the one
 * decoder every input path uses (sealed-secrets blobs, the `b64dec`
 * template function, KMS and Vault responses, sops values). A single linear
 * pass over the text, without a regular expression: the regex it replaces
 * overflowed the stack on a 4 MiB value (issue 7).
 */

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function table(alphabet: string): Uint8Array {
  const t = new Uint8Array(128);
  for (const ch of alphabet) t[ch.charCodeAt(0)] = 1;
  return t;
}

const TABLES = { std: table(STD), url: table(URL) } as const;

/** Options for `decodeBase64Strict`. */
export interface Base64Options {
  /** `std` (`+/`, the default) or `url` (`-_`). */
  readonly alphabet: "std" | "url";
  /** Skip `\r` and `\n` anywhere, as Go's decoder does (default false). */
  readonly ignoreNewlines: boolean;
}

export function defaultBase64Options(): Base64Options {
  return { alphabet: "std", ignoreNewlines: false };
}

/**
 * True when `text` is padded base64 in the alphabet: a multiple of four
 * characters, `=` only as the last one or two. Linear, no allocation.
 */
export function isStrictBase64(text: string, alphabet: Base64Options["alphabet"] = "std"): boolean {
  const n = text.length;
  if (n % 4 !== 0) return false;
  let pad = 0;
  if (n > 0 && text.charCodeAt(n - 1) === 0x3d) pad = text.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  const t = TABLES[alphabet];
  for (let i = 0; i < n - pad; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || t[c] !== 1) return false;
  }
  return true;
}

function withoutNewlines(text: string): string {
  return text.includes("\n") || text.includes("\r") ? text.replaceAll("\r", "").replaceAll("\n", "") : text;
}

/**
 * Decode strict padded base64; `undefined` when `text` is not (callers
 * raise their own coded error, naming what they were decoding).
 */
export function decodeBase64Strict(text: string, options: Partial<Base64Options> = {}): Buffer | undefined {
  const opts = { ...defaultBase64Options(), ...options };
  const compact = opts.ignoreNewlines ? withoutNewlines(text) : text;
  if (!isStrictBase64(compact, opts.alphabet)) return undefined;
  return Buffer.from(compact, opts.alphabet === "url" ? "base64url" : "base64");
}
