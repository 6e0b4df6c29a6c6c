/**
 * `ageRecipientRef` validates recipients with Sigil's own Bech32 decoder so
 * that `age-encryption` is not loaded at start-up. These tests pin that its
 * verdict equals typage's (`new Encrypter().addRecipient()`) on valid,
 * mutated and malformed recipients of both supported kinds.
 */
import { Encrypter, generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import { ageRecipientRef } from "../../../src/providers/index.js";

const ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32 = 1;
const BECH32M = 0x2bc830a3;

/** A test-side Bech32 encoder (BIP 173/350), to build malformed but well-checksummed inputs. */
function polymod(values: readonly number[]): number {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (const [i, g] of gen.entries()) if ((top >>> i) & 1) chk = (chk ^ g) >>> 0;
  }
  return chk;
}

function encode(prefix: string, words: readonly number[], constant = BECH32): string {
  const hrp = Array.from(prefix, (c) => c.charCodeAt(0));
  const mod = polymod([...hrp.map((c) => c >> 5), 0, ...hrp.map((c) => c & 31), ...words, 0, 0, 0, 0, 0, 0]) ^ constant;
  const sum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${prefix}1${[...words, ...sum].map((w) => ALPHABET[w]).join("")}`;
}

function toWords(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    for (; bits >= 5; bits -= 5) out.push((acc >> (bits - 5)) & 31);
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31);
  return out;
}

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);

function typageAccepts(recipient: string): boolean {
  try {
    new Encrypter().addRecipient(recipient);
    return true;
  } catch {
    return false;
  }
}

function sigilAccepts(recipient: string): boolean {
  try {
    ageRecipientRef(recipient);
    return true;
  } catch (err) {
    if (!isSigilError(err, "provider.invalid_key")) throw err;
    return false;
  }
}

let x25519 = "";
let hybrid = "";
beforeAll(async () => {
  x25519 = await identityToRecipient(await generateX25519Identity());
  hybrid = await identityToRecipient(await generateHybridIdentity());
});

describe("age recipient validation without age-encryption", () => {
  it("builds test inputs with an encoder that reproduces typage's recipients", () => {
    const data = (r: string): string => r.slice(r.lastIndexOf("1") + 1, -6);
    const words = (r: string): number[] => Array.from(data(r), (c) => ALPHABET.indexOf(c));
    expect(encode("age", words(x25519))).toBe(x25519);
    expect(encode("age1pq", words(hybrid))).toBe(hybrid);
  });

  const padded = (n: number, tweak: (w: number[]) => number[]): string => encode("age", tweak(toWords(bytes(n))));
  const cases: { reason: string; input: () => string; valid: boolean }[] = [
    { reason: "a generated X25519 recipient", input: () => x25519, valid: true },
    { reason: "a generated post-quantum hybrid recipient", input: () => hybrid, valid: true },
    { reason: "a well-formed X25519 recipient of fixed bytes", input: () => encode("age", toWords(bytes(32))), valid: true },
    { reason: "a checksum broken by one character", input: () => x25519.slice(0, -1) + (x25519.endsWith("q") ? "p" : "q"), valid: false },
    { reason: "a hybrid checksum broken by one character", input: () => hybrid.slice(0, -1) + (hybrid.endsWith("q") ? "p" : "q"), valid: false },
    { reason: "a Bech32m checksum instead of Bech32", input: () => encode("age", toWords(bytes(32)), BECH32M), valid: false },
    { reason: "31 key bytes (wrong length)", input: () => encode("age", toWords(bytes(31))), valid: false },
    { reason: "33 key bytes (wrong length)", input: () => encode("age", toWords(bytes(33))), valid: false },
    { reason: "longer than typage's 90-character limit", input: () => encode("age", toWords(bytes(60))), valid: false },
    { reason: "a hybrid key of 1215 bytes (wrong length)", input: () => encode("age1pq", toWords(bytes(1215))), valid: false },
    { reason: "a hybrid key of 1216 fixed bytes (no length limit)", input: () => encode("age1pq", toWords(bytes(1216))), valid: true },
    { reason: "an X25519 key under the hybrid prefix", input: () => encode("age1pq", toWords(bytes(32))), valid: false },
    { reason: "non-zero padding bits", input: () => padded(32, (w) => [...w.slice(0, -1), (w.at(-1) ?? 0) | 1]), valid: false },
    { reason: "a whole excess padding word", input: () => padded(33, (w) => [...w, 0]), valid: false },
    { reason: "a hybrid key of 1216 bytes plus an excess padding word (7 leftover bits)", input: () => encode("age1pq", [...toWords(bytes(1216)), 0]), valid: false },
    { reason: "mixed case", input: () => `age1${x25519.slice(4, 10).toUpperCase()}${x25519.slice(10)}`, valid: false },
    { reason: "a character outside the alphabet ('b')", input: () => `${x25519.slice(0, 10)}b${x25519.slice(11)}`, valid: false },
    { reason: "no data after the separator", input: () => "age1", valid: false },
    { reason: "a checksum only", input: () => encode("age", []), valid: false },
  ];
  it.each(cases)("agrees with typage on $reason", ({ input, valid }) => {
    const text = input();
    expect(typageAccepts(text)).toBe(valid);
    expect(sigilAccepts(text)).toBe(valid);
  });

  it("agrees with typage on every single-character change of an X25519 and a hybrid recipient", () => {
    const swaps = ["q", "p", "l", "b", "1", "Q", "é", " "];
    for (const recipient of [x25519, hybrid]) {
      const start = recipient.lastIndexOf("1") + 1;
      for (let i = start; i < recipient.length; i++) {
        const swap = swaps[i % swaps.length] ?? "q";
        const changed = recipient.slice(0, i) + (recipient[i] === swap ? "z" : swap) + recipient.slice(i + 1);
        expect({ changed, sigil: sigilAccepts(changed) }).toEqual({ changed, sigil: typageAccepts(changed) });
      }
    }
  });

  it("keeps the error message and names the recipient when validation fails", () => {
    const bad = encode("age", toWords(bytes(31)));
    expect(() => ageRecipientRef(bad)).toThrow(`invalid age recipient '${bad}': bad bech32 encoding or key length`);
  });
});
