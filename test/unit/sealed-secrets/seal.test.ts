import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SigilError } from "../../../src/core/index.js";
import {
  decodeBase64Strict,
  encryptionLabel,
  formatObject,
  openWithKey,
  parseManifests,
  sealRaw,
  sealSecret,
  splitBlob,
  toSealedSecret,
  toSecret,
  unsealSealedSecret,
} from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealedSecretObject, SecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { fixture, fixtureKey, ring } from "./support.js";

const publicKey = createPublicKey(fixtureKey("key1").privateKey);
const input = (): SecretObject => toSecret(parseManifests(fixture("secret.yaml"), "secret.yaml")[0], "secret.yaml");

function masked(ss: SealedSecretObject): SealedSecretObject {
  const copy = structuredClone(ss);
  copy.spec.encryptedData = Object.fromEntries(Object.keys(copy.spec.encryptedData).map((k) => [k, "BLOB"]));
  return copy;
}

function failure(fn: () => unknown): SigilError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SigilError) return err;
    throw err;
  }
  throw new Error("expected a SigilError");
}

describe("sealing a Secret like kubeseal", () => {
  const cases = [
    { scope: undefined, file: "sealed-strict.yaml", format: "yaml", reason: "default strict scope" },
    { scope: "namespace-wide", file: "sealed-namespace-wide.json", format: "json", reason: "--scope namespace-wide" },
    { scope: "cluster-wide", file: "sealed-cluster-wide.yaml", format: "yaml", reason: "--scope cluster-wide" },
  ] as const;
  for (const c of cases) {
    it(`prints the same document as kubeseal apart from the ciphertexts (${c.reason})`, () => {
      const ours = masked(sealSecret(input(), publicKey, { scope: c.scope }));
      const theirs = masked(toSealedSecret(parseManifests(fixture(c.file), c.file)[0], c.file));
      expect(formatObject(ours, c.format)).toBe(formatObject(theirs, c.format));
      const theirText = fixture(c.file).replace(/Ag[A-Za-z0-9+/=]{200,}/g, "BLOB");
      expect(formatObject(ours, c.format)).toBe(theirText);
    });
  }

  it("seals values that unseal back to the input", () => {
    const secret = unsealSealedSecret(sealSecret(input(), publicKey), ring("key1"));
    expect(Buffer.from(secret.data?.["username"] ?? "", "base64").toString()).toBe("kat-user");
    expect(Buffer.from(secret.data?.["password"] ?? "", "base64").toString()).toBe("kat-password-1b7e");
  });

  it("lets stringData win over data for the same key", () => {
    const secret = input();
    secret.data = { same: Buffer.from("from-data").toString("base64") };
    secret.stringData = { same: "from-stringData" };
    const out = unsealSealedSecret(sealSecret(secret, publicKey), ring("key1"));
    expect(Buffer.from(out.data?.["same"] ?? "", "base64").toString()).toBe("from-stringData");
  });

  it("strips last-applied annotations, owner references and server-side fields from the template", () => {
    const secret = input();
    secret.metadata.annotations = { ...secret.metadata.annotations, "kubectl.kubernetes.io/last-applied-configuration": "{secret}" };
    Object.assign(secret.metadata, { uid: "u", resourceVersion: "9", creationTimestamp: "2020-01-01T00:00:00Z", ownerReferences: [{ apiVersion: "v1", kind: "X", name: "x", uid: "y" }] });
    const meta = sealSecret(secret, publicKey).spec.template?.metadata;
    expect(meta?.annotations).toEqual({ "example.com/owner": "team-a" });
    expect(meta && Object.keys(meta).sort()).toEqual(["annotations", "labels", "name", "namespace"]);
  });

  it("carries type and immutable into the template", () => {
    const secret = { ...input(), type: "kubernetes.io/basic-auth", immutable: true };
    const template = sealSecret(secret, publicKey).spec.template;
    expect(template?.type).toBe("kubernetes.io/basic-auth");
    expect(template?.immutable).toBe(true);
  });

  it("takes the scope from the Secret's annotations when no scope is forced", () => {
    const secret = input();
    secret.metadata.annotations = { "sealedsecrets.bitnami.com/cluster-wide": "true" };
    expect(sealSecret(secret, publicKey).metadata.annotations).toEqual({ "sealedsecrets.bitnami.com/cluster-wide": "true" });
  });

  it("lets a forced strict scope remove scope annotations", () => {
    const secret = input();
    secret.metadata.annotations = { "sealedsecrets.bitnami.com/namespace-wide": "true" };
    const ss = sealSecret(secret, publicKey, { scope: "strict" });
    expect(ss.metadata.annotations).toBeUndefined();
    expect(ss.spec.template?.metadata?.annotations).toBeUndefined();
  });

  const refusals = [
    { name: "an empty Secret", mutate: (s: SecretObject) => { delete s.data; delete s.stringData; }, reason: "needs --allow-empty-data" },
    { name: "a Secret without a name", mutate: (s: SecretObject) => { delete s.metadata.name; }, reason: "the name is part of the label" },
    { name: "a strict Secret without a namespace", mutate: (s: SecretObject) => { delete s.metadata.namespace; }, reason: "the namespace is part of the label" },
    { name: "a Secret with bad base64 in data", mutate: (s: SecretObject) => { s.data = { x: "%%%" }; }, reason: "data values are base64" },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name} with input.invalid naming the Secret (${c.reason})`, () => {
      const secret = input();
      c.mutate(secret);
      const err = failure(() => sealSecret(secret, publicKey));
      expect(err.code).toBe("input.invalid");
      expect(err.subject).toMatch(/^Secret\//);
    });
  }

  it("seals an empty Secret with allowEmptyData", () => {
    const secret = input();
    delete secret.data;
    delete secret.stringData;
    expect(sealSecret(secret, publicKey, { allowEmptyData: true }).spec.encryptedData).toEqual({});
  });

  it("seals a cluster-wide Secret without a namespace", () => {
    const secret = input();
    delete secret.metadata.namespace;
    const ss = sealSecret(secret, publicKey, { scope: "cluster-wide" });
    expect(ss.metadata.namespace).toBeUndefined();
  });
});

describe("raw values", () => {
  const cases = [
    { target: { scope: "strict", namespace: "ns", name: "n" }, label: "ns/n", reason: "strict" },
    { target: { scope: "namespace-wide", namespace: "ns", name: "" }, label: "ns", reason: "namespace-wide" },
    { target: { scope: "cluster-wide", namespace: "", name: "" }, label: "", reason: "cluster-wide" },
  ] as const;
  for (const c of cases) {
    it(`seals a raw value under the ${c.reason} label`, () => {
      const b64 = sealRaw(Buffer.from("raw-value"), c.target, publicKey);
      expect(b64.endsWith("\n")).toBe(false);
      const opened = openWithKey(fixtureKey("key1").privateKey, splitBlob(decodeBase64Strict(b64, "raw")), Buffer.from(c.label));
      expect(opened?.toString()).toBe("raw-value");
    });
  }

  it("needs a namespace and a name for strict raw values", () => {
    expect(failure(() => sealRaw(Buffer.from("x"), { scope: "strict", namespace: "ns", name: "" }, publicKey)).message).toContain("--name");
    expect(failure(() => sealRaw(Buffer.from("x"), { scope: "namespace-wide", namespace: "", name: "" }, publicKey)).message).toContain("--namespace");
  });

  it("matches the label helper", () => {
    expect(encryptionLabel("a", "b", "strict").toString()).toBe("a/b");
  });
});
