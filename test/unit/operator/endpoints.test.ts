import { beforeAll, describe, expect, it } from "vitest";
import { redact } from "../../../src/core/index.js";
import { KeyRing, UnsealCache, generateSealingKeyPair, sealSecret, sealingKeyFromPrivateKey, unsealSealedSecret } from "../../../src/decrypt/sealed-secrets/index.js";
import type { GeneratedKeyPair, SealedSecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { canUnseal, reencrypt } from "../../../src/operator/sealed-secrets/endpoints.js";

let older: GeneratedKeyPair;
let newer: GeneratedKeyPair;
let stranger: GeneratedKeyPair;

function sealedWith(pair: GeneratedKeyPair, data: Record<string, string>, name = "app"): SealedSecretObject {
  return sealSecret({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "ns" }, stringData: data }, pair.certificate.publicKey);
}

beforeAll(async () => {
  [older, newer, stranger] = await Promise.all([
    generateSealingKeyPair({ keySize: 2048, now: () => new Date(Date.now() - 86_400_000) }),
    generateSealingKeyPair({ keySize: 2048 }),
    generateSealingKeyPair({ keySize: 2048 }),
  ]);
});

function ring(): KeyRing {
  return new KeyRing([older, newer].map((p) => sealingKeyFromPrivateKey(p.privateKey, "k", p.certificate)));
}

describe("canUnseal (/v1/verify)", () => {
  it.each([
    { reason: "values sealed for a held key", make: () => sealedWith(older, { a: "1" }), ok: true },
    { reason: "values sealed for another key", make: () => sealedWith(stranger, { a: "1" }), ok: false },
    { reason: "a renamed object (strict scope)", make: () => ({ ...sealedWith(newer, { a: "1" }), metadata: { name: "other", namespace: "ns" } }), ok: false },
    { reason: "a value that is not base64", make: () => ({ ...sealedWith(newer, { a: "1" }), spec: { encryptedData: { a: "%%%" } } }), ok: false },
    {
      reason: "a template that does not render",
      make: () => {
        const ss = sealedWith(newer, { a: "1" });
        ss.spec.template = { data: { b: "{{ .a | nosuch }}" } };
        return ss;
      },
      ok: false,
    },
  ])("$reason: $ok", ({ make, ok }) => {
    expect(canUnseal(make(), ring(), new UnsealCache())).toBe(ok);
  });

  it("neither registers posted values with the redactor nor caches them", () => {
    const cache = new UnsealCache();
    const word = `ordinaryword${Date.now()}`;
    expect(canUnseal(sealedWith(newer, { a: word }), ring(), cache)).toBe(true);
    expect(redact(`a line with ${word}`)).toBe(`a line with ${word}`);
    expect(cache.size).toBe(0);
  });
});

describe("reencrypt (/v1/rotate)", () => {
  it("re-encrypts every value for the newest key, keeps template data and metadata, and registers nothing", () => {
    const word = `rotatedword${Date.now()}`;
    const ss = sealedWith(older, { a: word });
    ss.metadata = { ...ss.metadata, labels: { keep: "me" }, uid: "u", resourceVersion: "7" };
    ss.spec.template = { ...ss.spec.template, metadata: { name: "stale", namespace: "ns" }, data: { b: "{{ .a }}!" } };
    const out = reencrypt(ss, ring(), new UnsealCache());
    expect(redact(word)).toBe(word);
    expect(out.metadata).toEqual({ name: "app", namespace: "ns", labels: { keep: "me" } });
    expect(out.spec.template?.metadata?.name).toBe("app");
    expect(out.spec.template?.data).toEqual({ b: "{{ .a }}!" });
    const onlyNewer = new KeyRing([sealingKeyFromPrivateKey(newer.privateKey, "n", newer.certificate)]);
    const secret = unsealSealedSecret(out, onlyNewer);
    expect(Buffer.from(secret.data?.["b"] ?? "", "base64").toString()).toBe(`${word}!`);
  });

  it("refuses a value no key opens with sealed.no_key", () => {
    expect(() => reencrypt(sealedWith(stranger, { a: "x" }), ring(), new UnsealCache())).toThrow(expect.objectContaining({ code: "sealed.no_key" }) as Error);
  });
});
