/**
 * Shamir secret sharing over GF(2^8) with the AES polynomial 0x11B (docs/formats.md#a9-key-groups-and-shamir),
 * share layout `y_0 … y_{L-1} || x` as sops (and Vault) write it.
 */
import { randomBytes as nodeRandomBytes } from "node:crypto";
import { SigilError } from "../../../core/index.js";

/** Carry-less multiply in GF(2^8) reduced by x^8 + x^4 + x^3 + x + 1. */
export function gfMul(a: number, b: number): number {
  let r = 0;
  let x = a;
  let y = b;
  while (y !== 0) {
    if ((y & 1) !== 0) r ^= x;
    x = (x << 1) ^ ((x & 0x80) !== 0 ? 0x11b : 0);
    y >>= 1;
  }
  return r & 0xff;
}

/** Multiplicative inverse (a^254). @throws RangeError for 0. */
export function gfInv(a: number): number {
  if (a === 0) throw new RangeError("zero has no inverse in GF(2^8)");
  let result = 1;
  let base = a;
  let e = 254;
  while (e > 0) {
    if ((e & 1) !== 0) result = gfMul(result, base);
    base = gfMul(base, base);
    e >>= 1;
  }
  return result;
}

/**
 * Split `secret` into `parts` shares, any `threshold` of which recover it.
 * Share i (0-based) has x = i + 1 as its last byte.
 * @throws SigilError `input.invalid` unless 2 ≤ threshold ≤ parts ≤ 255 and the secret is non-empty.
 */
export function shamirSplit(
  secret: Uint8Array,
  parts: number,
  threshold: number,
  random: (size: number) => Uint8Array = nodeRandomBytes,
): Uint8Array[] {
  if (secret.length === 0 || threshold < 2 || threshold > parts || parts > 255) {
    throw new SigilError("input.invalid", `shamir split needs 2 <= threshold (${threshold}) <= parts (${parts}) <= 255 and a non-empty secret`);
  }
  const shares = Array.from({ length: parts }, (_, i) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = i + 1;
    return share;
  });
  for (let j = 0; j < secret.length; j++) {
    const coeffs = random(threshold - 1);
    for (let i = 0; i < parts; i++) {
      const x = i + 1;
      // Horner: ((c_{k-1} x + c_{k-2}) x + ...) x + s_j
      let y = 0;
      for (let c = coeffs.length - 1; c >= 0; c--) y = gfMul(y ^ (coeffs[c] ?? 0), x);
      (shares[i] as Uint8Array)[j] = y ^ (secret[j] ?? 0);
    }
  }
  return shares;
}

/**
 * Recover the secret from two or more shares (Lagrange interpolation at 0).
 * @throws SigilError `decrypt.invalid_metadata` for fewer than two shares, unequal lengths or repeated x coordinates.
 */
export function shamirCombine(shares: readonly Uint8Array[]): Uint8Array {
  const first = shares[0];
  if (first === undefined || shares.length < 2 || first.length < 2) {
    throw new SigilError("decrypt.invalid_metadata", "at least two shamir shares of two or more bytes are needed");
  }
  const len = first.length - 1;
  const xs = shares.map((s) => s[len] ?? 0);
  if (shares.some((s) => s.length !== first.length) || new Set(xs).size !== xs.length) {
    throw new SigilError("decrypt.invalid_metadata", "shamir shares have different lengths or repeated x coordinates");
  }
  const basis = xs.map((xi, i) => {
    let b = 1;
    xs.forEach((xj, j) => {
      if (i !== j) b = gfMul(b, gfMul(xj, gfInv(xi ^ xj)));
    });
    return b;
  });
  const out = new Uint8Array(len);
  for (let j = 0; j < len; j++) {
    let v = 0;
    shares.forEach((s, i) => (v ^= gfMul(s[j] ?? 0, basis[i] ?? 0)));
    out[j] = v;
  }
  return out;
}
