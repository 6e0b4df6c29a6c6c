/**
 * A Bech32 (BIP 173, checksum constant 1) decoder for validating age
 * recipient strings without loading `age-encryption` (and its ~16 MB of
 * dependencies) at module load. It accepts and rejects exactly what
 * typage's recipient constructors accept and reject through `@scure/base`:
 * length limits, single case, the separator, the alphabet, the checksum,
 * and strict 5-to-8-bit conversion (no excess or non-zero padding). The unit
 * tests compare its verdicts with typage's on valid, mutated and malformed
 * recipients.
 */

const ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3] as const;
const CHECKSUM_LENGTH = 6;
const MIN_LENGTH = 8;

/** A decoded Bech32 string: the human-readable part (lower case) and the data bytes. */
export interface Bech32Decoded {
  readonly prefix: string;
  readonly bytes: Uint8Array;
}

/** What the decoder rejected, for an error's cause (never contains the input). */
export type Bech32Result = Bech32Decoded | { readonly problem: string };

function polymodStep(chk: number): number {
  const top = chk >>> 25;
  let next = (chk & 0x1ffffff) << 5;
  for (const [i, g] of GENERATOR.entries()) if (((top >>> i) & 1) === 1) next ^= g;
  return next >>> 0;
}

function checksumValid(prefix: string, words: readonly number[]): boolean {
  let chk = 1;
  for (let i = 0; i < prefix.length; i++) chk = polymodStep(chk) ^ (prefix.charCodeAt(i) >> 5);
  chk = polymodStep(chk);
  for (let i = 0; i < prefix.length; i++) chk = polymodStep(chk) ^ (prefix.charCodeAt(i) & 31);
  for (const w of words) chk = polymodStep(chk) ^ w;
  return chk === 1;
}

/** 5-bit words to bytes, rejecting leftover bits that are five or more, or not zero. */
function wordsToBytes(words: readonly number[]): Uint8Array | undefined {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return undefined;
  return Uint8Array.from(out);
}

function prefixValid(prefix: string): boolean {
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/**
 * Decode a Bech32 string to its prefix and bytes.
 * @param limit - the longest accepted string (typage: 90 for X25519
 *   recipients, no limit (`false`) for post-quantum ones).
 * @returns the decoded value, or `{ problem }` naming what is wrong. Never throws.
 */
export function decodeBech32(text: string, limit: number | false): Bech32Result {
  if (text.length < MIN_LENGTH || (limit !== false && text.length > limit)) return { problem: "invalid length" };
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) return { problem: "mixed case" };
  const sep = lower.lastIndexOf("1");
  if (sep <= 0) return { problem: "no separator" };
  const prefix = lower.slice(0, sep);
  const data = lower.slice(sep + 1);
  if (data.length < CHECKSUM_LENGTH || !prefixValid(prefix)) return { problem: "invalid prefix or data length" };
  const words: number[] = [];
  for (const ch of data) {
    const w = ALPHABET.indexOf(ch);
    if (w < 0) return { problem: "character outside the bech32 alphabet" };
    words.push(w);
  }
  if (!checksumValid(prefix, words)) return { problem: "bad checksum" };
  const bytes = wordsToBytes(words.slice(0, -CHECKSUM_LENGTH));
  if (bytes === undefined) return { problem: "invalid padding" };
  return { prefix, bytes };
}

/** Encode bytes as Bech32 (lower case, no length limit). */
export function encodeBech32(prefix: string, bytes: Uint8Array): string {
  const words: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      words.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  let chk = 1;
  for (let i = 0; i < prefix.length; i++) chk = polymodStep(chk) ^ (prefix.charCodeAt(i) >> 5);
  chk = polymodStep(chk);
  for (let i = 0; i < prefix.length; i++) chk = polymodStep(chk) ^ (prefix.charCodeAt(i) & 31);
  for (const w of [...words, 0, 0, 0, 0, 0, 0]) chk = polymodStep(chk) ^ w;
  chk ^= 1;
  const checksum = [25, 20, 15, 10, 5, 0].map((shift) => (chk >>> shift) & 31);
  return `${prefix}1${[...words, ...checksum].map((w) => ALPHABET[w]).join("")}`;
}
