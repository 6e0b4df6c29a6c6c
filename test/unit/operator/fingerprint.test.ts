import { beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, signData, verifyData } from "../../../src/kube/secrets/index.js";
import type { MacKey } from "../../../src/kube/secrets/index.js";
import { SealingMacKeys, inputsDigest, producedKeys } from "../../../src/operator/sealed-secrets/fingerprint.js";
import { generateSealingKeyPair, sealingKeyFromPrivateKey } from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealedSecretObject, SealingKey } from "../../../src/decrypt/sealed-secrets/index.js";
import { canary, expectNoLeak } from "../../support/canary.js";

/** The data MAC as the controller computes it: the shared signData/verifyData keyed by a sealing key. */
class DataMac {
  readonly #keys = new SealingMacKeys();

  sign(k: SealingKey, data: Readonly<Record<string, string>>, keys: readonly string[]): string {
    return signData(this.#keys.of(k), data, keys);
  }

  verify(annotation: string | undefined, data: Readonly<Record<string, string>>, keys: readonly string[], lookup: (fp: string) => SealingKey | undefined): boolean {
    return verifyData(annotation, data, keys, this.#keys.lookup(lookup));
  }
}

const base: SealedSecretObject = {
  apiVersion: "bitnami.com/v1alpha1",
  kind: "SealedSecret",
  metadata: { name: "app", namespace: "ns" },
  spec: { encryptedData: { a: "AgA1", b: "AgA2" }, template: { data: { c: "{{ .a }}" } } },
};

describe("inputsDigest", () => {
  it("is stable under key order and changes with any input, including the scope label", () => {
    const reordered: SealedSecretObject = { ...base, spec: { template: { data: { c: "{{ .a }}" } }, encryptedData: { b: "AgA2", a: "AgA1" } } };
    expect(inputsDigest(reordered)).toBe(inputsDigest(base));
    const variants: { reason: string; ss: SealedSecretObject }[] = [
      { reason: "a ciphertext", ss: { ...base, spec: { ...base.spec, encryptedData: { a: "AgA1", b: "AgA3" } } } },
      { reason: "the template", ss: { ...base, spec: { ...base.spec, template: { data: { c: "{{ .b }}" } } } } },
      { reason: "the name", ss: { ...base, metadata: { name: "other", namespace: "ns" } } },
      { reason: "the scope", ss: { ...base, metadata: { ...base.metadata, annotations: { "sealedsecrets.bitnami.com/cluster-wide": "true" } } } },
    ];
    for (const v of variants) expect(inputsDigest(v.ss), v.reason).not.toBe(inputsDigest(base));
  });

  it("lists produced keys from encryptedData and template data, and none for the v1 format", () => {
    expect(producedKeys(base)).toEqual(["a", "b", "c"]);
    expect(producedKeys({ ...base, spec: { encryptedData: {}, data: "AgA=" } })).toBeUndefined();
  });

  it("canonicalJson sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

describe("the data MAC keyed by a sealing key", () => {
  let key: SealingKey;
  let other: SealingKey;
  beforeAll(async () => {
    const [a, b] = await Promise.all([generateSealingKeyPair({ keySize: 2048 }), generateSealingKeyPair({ keySize: 2048 })]);
    key = sealingKeyFromPrivateKey(a.privateKey, "a");
    other = sealingKeyFromPrivateKey(b.privateKey, "b");
  });

  it("verifies its own MAC and rejects edited, missing or foreign data", () => {
    const keys = new SealingMacKeys();
    const data = { a: "MQ==", b: "Mg==" };
    const sig = signData(keys.of(key), data, ["a", "b"]);
    expect(sig.startsWith(`v1;${key.fingerprint};`)).toBe(true);
    const lookup = keys.lookup((fp) => (fp === key.fingerprint ? key : undefined));
    expect(verifyData(sig, data, ["a", "b"], lookup)).toBe(true);
    expect(verifyData(sig, { ...data, extra: "eA==" }, ["a", "b"], lookup), "extra keys outside the list are ignored").toBe(true);
    const cases = [
      { reason: "a value edited", annotation: sig, data: { a: "MQ==", b: "Mw==" } },
      { reason: "a key missing", annotation: sig, data: { a: "MQ==" } },
      { reason: "no annotation", annotation: undefined, data },
      { reason: "a malformed annotation", annotation: "garbage", data },
      { reason: "a MAC by a key no longer held", annotation: signData(keys.of(other), data, ["a", "b"]), data },
    ];
    for (const c of cases) expect(verifyData(c.annotation, c.data, ["a", "b"], lookup), c.reason).toBe(false);
  });

  it("is keyed: two sealing keys give different MACs of the same data, and a MAC relabelled with another key's fingerprint fails", () => {
    const keys = new SealingMacKeys();
    const data = { a: "MQ==", b: "Mg==" };
    const mine = signData(keys.of(key), data, ["a", "b"]);
    const theirs = signData(keys.of(other), data, ["a", "b"]);
    const macPart = (annotation: string): string => annotation.split(";")[2] ?? "";
    expect(macPart(mine)).not.toBe("");
    expect(macPart(mine)).not.toBe(macPart(theirs));
    const both = keys.lookup((fp) => [key, other].find((k) => k.fingerprint === fp));
    expect(verifyData(mine, data, ["a", "b"], both)).toBe(true);
    expect(verifyData(theirs, data, ["a", "b"], both)).toBe(true);
    expect(verifyData(`v1;${key.fingerprint};${macPart(theirs)}`, data, ["a", "b"], both), "other's MAC under key's name").toBe(false);
    expect(verifyData(`v1;${other.fingerprint};${macPart(mine)}`, data, ["a", "b"], both), "key's MAC under other's name").toBe(false);
  });

  it("is keyed by the private key, not by anything public: the fingerprint or the public key", () => {
    const data = { a: "MQ==" };
    const real = signData(new SealingMacKeys().of(key), data, ["a"]);
    // The same fingerprint and public key with another private key (a fresh SealingMacKeys: it remembers keys by fingerprint).
    const impostor: SealingKey = { ...key, privateKey: other.privateKey };
    expect(signData(new SealingMacKeys().of(impostor), data, ["a"])).not.toBe(real);
    // A fresh SealingMacKeys with the real key computes the same MAC: it is a function of the key and the data only.
    expect(signData(new SealingMacKeys().of(key), data, ["a"])).toBe(real);
  });

  it("does not contain the plaintext, in any form, or an unkeyed hash of the data", async () => {
    const { createHash } = await import("node:crypto");
    const secret = canary("data-mac");
    // Secret data travels base64-encoded: that is the form the MAC's input holds.
    const data = { a: Buffer.from(secret.value).toString("base64") };
    const sig = signData(new SealingMacKeys().of(key), data, ["a"]);
    expectNoLeak({ annotation: sig }, secret);
    expect(sig).not.toContain(data.a);
    const line = `${JSON.stringify("a")}=${data.a}\n`;
    for (const hashed of [secret.value, data.a, line]) {
      const digest = createHash("sha256").update(hashed).digest();
      for (const form of [digest.toString("base64"), digest.toString("hex"), digest.toString("base64url")]) expect(sig).not.toContain(form);
    }
  });
});

describe("the data MAC with any key", () => {
  it("depends on the key bytes, not only on the key id", () => {
    const data = { a: "MQ==" };
    const k1: MacKey = { id: "k", key: Buffer.alloc(32, 1) };
    const k2: MacKey = { id: "k", key: Buffer.alloc(32, 2) };
    const sig = signData(k1, data, ["a"]);
    expect(verifyData(sig, data, ["a"], () => k1)).toBe(true);
    expect(verifyData(sig, data, ["a"], () => k2)).toBe(false);
  });
});
