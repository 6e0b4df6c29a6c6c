import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import {
  decodeBase64Strict,
  encodeBlob,
  encryptionLabel,
  hybridEncrypt,
  openWithKey,
  splitBlob,
} from "../../../src/decrypt/sealed-secrets/index.js";
import { fixture, fixtureKey } from "./support.js";

const key1 = fixtureKey("key1");

function open(b64: string, label: Buffer): Buffer | null {
  return openWithKey(key1.privateKey, splitBlob(decodeBase64Strict(b64, "blob")), label);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return isSigilError(err) ? err.code : `not a SigilError: ${String(err)}`;
  }
  return "no error";
}

describe("hybrid codec against blobs made by the real kubeseal --raw --cert", () => {
  const cases = [
    { file: "raw-strict.b64", label: encryptionLabel("kat", "kat-secret", "strict"), plaintext: "kat-strict-value", reason: "strict label is ns/name" },
    { file: "raw-namespace-wide.b64", label: encryptionLabel("kat", "", "namespace-wide"), plaintext: "kat-namespace-value", reason: "namespace-wide label is ns" },
    { file: "raw-cluster-wide.b64", label: encryptionLabel("", "", "cluster-wide"), plaintext: "kat-cluster-value", reason: "cluster-wide label is empty" },
  ];
  for (const c of cases) {
    it(`decrypts ${c.file} (${c.reason})`, () => {
      expect(open(fixture(c.file), c.label)?.toString()).toBe(c.plaintext);
    });
  }

  it("returns null (not mine) when the label differs", () => {
    expect(open(fixture("raw-strict.b64"), encryptionLabel("kat", "other-name", "strict"))).toBeNull();
    expect(open(fixture("raw-strict.b64"), encryptionLabel("other-ns", "kat-secret", "strict"))).toBeNull();
  });

  it("returns null for a key that did not seal the blob", () => {
    const key2 = fixtureKey("key2");
    const blob = splitBlob(decodeBase64Strict(fixture("raw-cluster-wide.b64"), "blob"));
    expect(openWithKey(key2.privateKey, blob, Buffer.alloc(0))).toBeNull();
  });
});

describe("hybrid codec layout", () => {
  const publicKey = createPublicKey(key1.privateKey);

  it("writes a 2-byte big-endian rsa length, the 512-byte rsa part, then ciphertext and a 16-byte tag", () => {
    const blob = hybridEncrypt(publicKey, Buffer.from("hello"), Buffer.from("ns/name"));
    expect(blob.readUInt16BE(0)).toBe(512);
    expect(blob.length).toBe(2 + 512 + 5 + 16);
    expect(encodeBlob(blob).startsWith("Ag")).toBe(true);
  });

  it("round-trips arbitrary bytes, including an empty value", () => {
    for (const value of [Buffer.alloc(0), Buffer.from([0, 255, 10, 13]), Buffer.alloc(70_000, 7)]) {
      const blob = hybridEncrypt(publicKey, value, Buffer.from("l"));
      expect(openWithKey(key1.privateKey, splitBlob(blob), Buffer.from("l"))?.equals(value)).toBe(true);
    }
  });

  it("uses the injected randomness for the session key", () => {
    const calls: number[] = [];
    const randomBytes = (n: number): Buffer => {
      calls.push(n);
      return Buffer.alloc(n, 1);
    };
    hybridEncrypt(publicKey, Buffer.from("x"), Buffer.alloc(0), { randomBytes });
    expect(calls).toEqual([32]);
  });

  it("refuses a non-rsa public key", () => {
    const ec = createPublicKey({ key: { kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" }, format: "jwk" });
    expect(codeOf(() => hybridEncrypt(ec, Buffer.from("x"), Buffer.alloc(0)))).toBe("sealed.cert_invalid");
  });
});

describe("bad blobs", () => {
  const good = decodeBase64Strict(fixture("raw-strict.b64"), "blob");
  const label = encryptionLabel("kat", "kat-secret", "strict");
  const cases = [
    { name: "an empty blob", blob: Buffer.alloc(0), reason: "no length prefix" },
    { name: "one byte", blob: Buffer.from([2]), reason: "half a length prefix" },
    { name: "a blob cut inside the rsa part", blob: good.subarray(0, 300), reason: "shorter than 2 + rsa length" },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} as sealed.invalid_blob (${c.reason})`, () => {
      expect(codeOf(() => splitBlob(c.blob))).toBe("sealed.invalid_blob");
    });
  }

  it("rejects a blob cut inside the aes tag as sealed.invalid_blob", () => {
    expect(codeOf(() => openWithKey(key1.privateKey, splitBlob(good.subarray(0, 2 + 512 + 10)), label))).toBe("sealed.invalid_blob");
  });

  it("rejects a blob whose aes-gcm ciphertext was changed by one bit", () => {
    const tampered = Buffer.from(good);
    tampered[tampered.length - 20] = (tampered[tampered.length - 20] ?? 0) ^ 1;
    expect(codeOf(() => openWithKey(key1.privateKey, splitBlob(tampered), label))).toBe("sealed.invalid_blob");
  });

  const b64Cases = [
    { text: "AgB$notbase64", reason: "character outside the alphabet" },
    { text: "AgBxyz", reason: "missing padding" },
    { text: "AgB x", reason: "embedded space" },
    { text: "AgBx-_==", reason: "url-safe alphabet" },
  ];
  for (const c of b64Cases) {
    it(`rejects non-base64 data (${c.reason})`, () => {
      expect(codeOf(() => decodeBase64Strict(c.text, "value"))).toBe("sealed.invalid_blob");
    });
  }

  it("accepts base64 wrapped over lines, as Go's decoder does", () => {
    const text = fixture("raw-strict.b64");
    const wrapped = text.replace(/(.{76})/g, "$1\n");
    expect(decodeBase64Strict(wrapped, "value").equals(good)).toBe(true);
  });
});
