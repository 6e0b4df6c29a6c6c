import { readFileSync } from "node:fs";
import { Encrypter, armor, generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { decryptX25519, nativeX25519Identity } from "../../../src/providers/age/native-x25519.js";

const FIXTURES = new URL("../../fixtures/keys/", import.meta.url);
const ID1 = readFileSync(new URL("age-1.txt", FIXTURES), "utf8")
  .split("\n")
  .find((l) => l.startsWith("AGE-SECRET-KEY-1"))!;
const R1 = "age1uhltqrrk67gga0a9l6pj7c9h9fyqa30x5srgtm4r4s45jn4hv49qqs74yv";
const WRAPPED_BY_AGE = readFileSync(new URL("age-1.wrapped-by-age.txt", FIXTURES), "utf8");

async function encryptTo(recipients: string[], plaintext: Uint8Array): Promise<Uint8Array> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return e.encrypt(plaintext);
}

describe("native X25519 fast path", () => {
  const id1 = nativeX25519Identity(ID1)!;

  it("prepares X25519 identities only (a wrong public key would break every decryption below: it is in the HKDF salt)", () => {
    expect(id1.publicKey).toHaveLength(32);
    expect(nativeX25519Identity("AGE-SECRET-KEY-PQ-1QQQ")).toBeUndefined();
  });

  it("decrypts the known-answer file written by the real age binary", () => {
    expect(decryptX25519(armor.decode(WRAPPED_BY_AGE), [id1])?.toString()).toBe("known-answer data key for age-1!");
  });

  it.each([0, 1, 32, 33, 1000, 65536])("agrees with typage for a %i-byte plaintext", async (size) => {
    const plaintext = new Uint8Array(size).map((_, i) => (i * 31) % 256);
    expect(new Uint8Array(decryptX25519(await encryptTo([R1], plaintext), [id1])!)).toEqual(plaintext);
  });

  it("finds its stanza among several recipients", async () => {
    const other = await identityToRecipient(await generateX25519Identity());
    expect(decryptX25519(await encryptTo([other, R1], Buffer.from("abc")), [id1])?.toString()).toBe("abc");
  });

  it("returns null when no identity opens any stanza", async () => {
    const other = await identityToRecipient(await generateX25519Identity());
    expect(decryptX25519(await encryptTo([other], Buffer.from("abc")), [id1])).toBeNull();
  });

  const tamper = [
    { at: (f: Buffer) => f.indexOf("\n--- ") + 8, reason: "the header MAC" },
    { at: (f: Buffer) => f.length - 1, reason: "the payload tag" },
    { at: (f: Buffer) => f.length - 20, reason: "the payload ciphertext" },
  ];
  it.each(tamper)("returns null when $reason is changed", async ({ at }) => {
    const file = Buffer.from(await encryptTo([R1], new Uint8Array(32)));
    const i = at(file);
    // Swap in another valid base64 letter (a flipped bit could leave the alphabet, e.g. '/' -> '.',
    // which makes the header irregular rather than mis-authenticated): 'A' unless it already is.
    file[i] = file[i] === 0x41 ? 0x42 : 0x41;
    expect(decryptX25519(file, [id1])).toBeNull();
  });

  it("leaves multi-chunk payloads, other stanza types and irregular headers to typage (undefined)", async () => {
    const hybrid = await identityToRecipient(await generateHybridIdentity());
    const scrypt = new Encrypter();
    scrypt.setPassphrase("pw");
    scrypt.setScryptWorkFactor(4);
    expect(decryptX25519(await encryptTo([R1], new Uint8Array(65537)), [id1])).toBeUndefined();
    expect(decryptX25519(await encryptTo([hybrid], new Uint8Array(32)), [id1])).toBeUndefined();
    expect(decryptX25519(await scrypt.encrypt(new Uint8Array(32)), [id1])).toBeUndefined();
    expect(decryptX25519(Buffer.from("not an age file"), [id1])).toBeUndefined();
  });
});
