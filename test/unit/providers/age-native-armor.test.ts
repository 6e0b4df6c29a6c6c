import { armor, generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeArmor, x25519RecipientOf } from "../../../src/providers/age/native-armor.js";

/** typage's verdict: the value, or undefined when it throws. */
async function typage<T>(f: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch {
    return undefined;
  }
}

const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

describe("x25519RecipientOf (start-up fast path: no typage)", () => {
  it("derives the recipient typage derives, for generated identities", async () => {
    for (let i = 0; i < 25; i++) {
      const id = await generateX25519Identity();
      expect(x25519RecipientOf(id)).toBe(await identityToRecipient(id));
    }
  });

  it("leaves post-quantum identities to typage", async () => {
    expect(x25519RecipientOf(await generateHybridIdentity())).toBeUndefined();
  });

  it("accepts no mutated identity that typage rejects, and agrees where typage accepts", async () => {
    const id = await generateX25519Identity();
    await fc.assert(
      fc.asyncProperty(fc.nat(id.length - 1), fc.constantFrom(...Array.from(`${BECH32.toUpperCase()}1-xQ`)), async (at, ch) => {
        const mutated = id.slice(0, at) + ch + id.slice(at + 1);
        const expected = await typage(() => identityToRecipient(mutated));
        expect(x25519RecipientOf(mutated)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ["lower case", (id: string) => id.toLowerCase()],
    ["too long", (id: string) => id + "Q".repeat(20)],
    ["truncated", (id: string) => id.slice(0, -1)],
  ])("rejects an identity that is %s", async (_name, change) => {
    const mutated = change(await generateX25519Identity());
    expect(await typage(() => identityToRecipient(mutated))).toBeUndefined();
    expect(x25519RecipientOf(mutated)).toBeUndefined();
  });
});

describe("decodeArmor (start-up fast path: no typage)", () => {
  it("decodes what typage's armor.encode writes, to the same bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), (file) => {
        expect(decodeArmor(armor.encode(file))).toEqual(Buffer.from(armor.decode(armor.encode(file))));
      }),
      { numRuns: 200 },
    );
  });

  it("accepts no variant typage rejects, and the usual ones typage accepts, to the same bytes", async () => {
    const ACCEPTED = new Set(["CRLF", "surrounding whitespace", "no final newline"]);
    const edits: [string, (s: string) => string][] = [
      ["CRLF", (s) => s.replaceAll("\n", "\r\n")],
      ["surrounding whitespace", (s) => ` \n${s}\n\t`],
      ["no final newline", (s) => s.trimEnd()],
      ["a line one character short", (s) => s.replace(/\n([A-Za-z0-9+/]{63})[A-Za-z0-9+/]\n/, "\n$1\n")],
      ["a blank line", (s) => s.replace("-----\n", "-----\n\n")],
      ["no body", () => "-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n"],
      ["non-canonical padding bits", (s) => s.replace(/([A-Za-z0-9+/])==\n/, (_m, c: string) => `${c === "A" ? "B" : "A"}==\n`)],
      ["padding in the middle", (s) => s.replace(/\n([A-Za-z0-9+/]{60})[A-Za-z0-9+/]{4}\n/, "\n$1AA==\n")],
      ["a character outside base64", (s) => s.replace(/\n([A-Za-z0-9+/]{10})[A-Za-z0-9+/]/, "\n$1.")],
      ["a wrong header", (s) => s.replace("BEGIN AGE", "BEGIN AGX")],
      ["a wrong footer", (s) => s.replace("END AGE", "END AGX")],
    ];
    for (const size of [1, 47, 48, 49, 100, 200]) {
      const encoded = armor.encode(new Uint8Array(size).map((_, i) => (i * 7 + size) % 256));
      for (const [name, edit] of edits) {
        const variant = edit(encoded);
        const expected = await typage(() => Buffer.from(armor.decode(variant)));
        const native = decodeArmor(variant);
        // undefined only sends the caller to typage; anything else must be typage's answer
        if (native !== undefined || ACCEPTED.has(name)) expect(native, `${name}, ${size} bytes`).toEqual(expected);
      }
    }
  });
});
