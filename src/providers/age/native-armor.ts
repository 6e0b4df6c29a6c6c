/**
 * The fast path's side of start-up: what a `sigil decrypt` with an X25519
 * identity needs from `age-encryption` (typage), done with `node:crypto`, so
 * that a call never imports typage, whose module load alone (its post-quantum
 * and elliptic-curve libraries compute tables at import) costs several times
 * Node's own start-up (docs/benchmarks.md, start-up). Anything these do not
 * accept returns `undefined`, and the caller asks typage, which decides.
 */
import { decodeBech32, encodeBech32 } from "./bech32.js";
import { x25519FromScalar } from "./native-x25519.js";
import type { NativeX25519Identity } from "./native-x25519.js";

const BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const END = "-----END AGE ENCRYPTED FILE-----";

/**
 * The recipient (`age1…`) of an `AGE-SECRET-KEY-1…` identity, checked as
 * typage checks it (Bech32 of at most 90 characters, the prefix, 32 bytes);
 * `undefined` for anything else.
 */
export function x25519RecipientOf(identity: string): string | undefined {
  const prepared = x25519IdentityOf(identity);
  return prepared === undefined ? undefined : encodeBech32("age", prepared.publicKey);
}

/**
 * The key pair of an `AGE-SECRET-KEY-1…` identity, checked as
 * x25519RecipientOf checks it; `undefined` for anything else. Loading an
 * identity keeps it, so that decrypting does not import the key again.
 */
export function x25519IdentityOf(identity: string): NativeX25519Identity | undefined {
  if (!identity.startsWith("AGE-SECRET-KEY-1")) return undefined;
  const decoded = decodeBech32(identity, 90);
  if ("problem" in decoded || decoded.prefix !== "age-secret-key-" || decoded.bytes.length !== 32) return undefined;
  return x25519FromScalar(decoded.bytes);
}

/**
 * Decode an ASCII-armored age file under typage's rules (surrounding
 * whitespace and CRLF allowed; 64-character lines, a shorter last line of a
 * multiple of 4; canonical base64); `undefined` for anything else.
 */
export function decodeArmor(text: string): Buffer | undefined {
  const lines = text.trim().replaceAll("\r\n", "\n").split("\n");
  if (lines.shift() !== BEGIN || lines.pop() !== END || lines.length === 0) return undefined;
  const last = lines.length - 1;
  for (const [i, l] of lines.entries()) {
    const lengthOk = i === last ? l.length > 0 && l.length <= 64 && l.length % 4 === 0 : l.length === 64;
    if (!lengthOk || !/^[A-Za-z0-9+/]+={0,2}$/.test(l) || (i !== last && l.includes("="))) return undefined;
  }
  const joined = lines.join("");
  const bytes = Buffer.from(joined, "base64");
  return bytes.toString("base64") === joined ? bytes : undefined;
}
