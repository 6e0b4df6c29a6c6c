import { describe, expect, it } from "vitest";
import { mergeSecret as sharedMerge, sameSecret, writeMode as sharedWriteMode } from "../../../src/kube/secrets/index.js";
import type { WriteMode } from "../../../src/kube/secrets/index.js";
import { INPUTS_ANNOTATION } from "../../../src/operator/index.js";
import { sealedSecretPolicy, secretSkeleton } from "../../../src/operator/sealed-secrets/secret-write.js";
import type { SealedSecretObject, SecretObject } from "../../../src/decrypt/sealed-secrets/index.js";

const ss: SealedSecretObject = {
  apiVersion: "bitnami.com/v1alpha1",
  kind: "SealedSecret",
  metadata: { name: "app", namespace: "ns", uid: "uid-1" },
  spec: { encryptedData: { k: "AgA=" }, template: { type: "Opaque", metadata: { name: "ignored", namespace: "ignored", labels: { a: "1" }, annotations: { n: "x" } } } },
};

const writeMode = (existing: SecretObject | undefined, of: SealedSecretObject): WriteMode => sharedWriteMode(existing, sealedSecretPolicy(of));
const mergeSecret = (existing: SecretObject | undefined, desired: SecretObject, mode: WriteMode): SecretObject => sharedMerge(existing, desired, mode, sealedSecretPolicy(ss));

function secret(meta: Partial<SecretObject["metadata"]>, data: Record<string, string> = {}): SecretObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name: "app", namespace: "ns", ...meta }, data };
}

const owner = { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", name: "app", uid: "uid-1", controller: true };

describe("writeMode", () => {
  const cases = [
    { reason: "no Secret: create", existing: undefined, mode: "create" },
    { reason: "owned by this SealedSecret: replace", existing: secret({ ownerReferences: [owner] }), mode: "replace" },
    { reason: "annotated managed: replace", existing: secret({ annotations: { "sealedsecrets.bitnami.com/managed": "true" } }), mode: "replace" },
    { reason: "annotated patch: patch", existing: secret({ annotations: { "sealedsecrets.bitnami.com/patch": "true" } }), mode: "patch" },
    { reason: "patch wins over managed", existing: secret({ annotations: { "sealedsecrets.bitnami.com/patch": "true", "sealedsecrets.bitnami.com/managed": "true" } }), mode: "patch" },
    { reason: "written by Sigil (inputs annotation) without an owner: replace", existing: secret({ annotations: { [INPUTS_ANNOTATION]: "v1:x" } }), mode: "replace" },
  ] as const;
  it.each(cases)("$reason", ({ existing, mode }) => {
    expect(writeMode(existing, ss)).toBe(mode);
  });

  it.each([
    { reason: "a plain Secret", existing: secret({}) },
    { reason: "owned by another SealedSecret (other uid)", existing: secret({ ownerReferences: [{ ...owner, uid: "other" }] }) },
    { reason: "managed annotation not exactly \"true\"", existing: secret({ annotations: { "sealedsecrets.bitnami.com/managed": "yes" } }) },
  ])("refuses $reason with sealed.unmanaged_secret and bitnami's message", ({ existing }) => {
    expect(() => writeMode(existing, ss)).toThrow(expect.objectContaining({ code: "sealed.unmanaged_secret", message: 'Resource "app" already exists and is not managed by SealedSecret' }) as Error);
  });
});

describe("secretSkeleton", () => {
  it("takes the template metadata with name and namespace forced, type, and a controller owner reference", () => {
    expect(secretSkeleton(ss)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "app", namespace: "ns", labels: { a: "1" }, annotations: { n: "x" }, ownerReferences: [owner] },
      type: "Opaque",
    });
  });

  it("leaves the owner reference off with skip-set-owner-references", () => {
    const skip = structuredClone(ss);
    skip.spec.template = { metadata: { annotations: { "sealedsecrets.bitnami.com/skip-set-owner-references": "true" } } };
    expect(secretSkeleton(skip).metadata.ownerReferences).toBeUndefined();
  });
});

describe("mergeSecret and sameSecret", () => {
  const desired = secret({ labels: { a: "1" }, annotations: { n: "x" }, ownerReferences: [owner] }, { k: "bmV3" });
  desired.type = "Opaque";

  it("replace mode replaces data, labels, annotations and owners, keeping other metadata", () => {
    const existing = secret({ labels: { old: "1" }, annotations: { "sealedsecrets.bitnami.com/managed": "true" }, resourceVersion: "7" }, { k: "b2xk", extra: "eA==" });
    const next = mergeSecret(existing, desired, "replace");
    expect(next.data).toEqual({ k: "bmV3" });
    expect(next.metadata).toMatchObject({ labels: { a: "1" }, annotations: { n: "x" }, ownerReferences: [owner], resourceVersion: "7" });
  });

  it("patch mode merges data, labels and annotations, and sets owners only when also managed", () => {
    const existing = secret({ labels: { old: "1" }, annotations: { "sealedsecrets.bitnami.com/patch": "true" } }, { k: "b2xk", extra: "eA==" });
    const next = mergeSecret(existing, desired, "patch");
    expect(next.data).toEqual({ k: "bmV3", extra: "eA==" });
    expect(next.metadata.labels).toEqual({ old: "1", a: "1" });
    expect(next.metadata.annotations).toEqual({ "sealedsecrets.bitnami.com/patch": "true", n: "x" });
    expect(next.metadata.ownerReferences).toBeUndefined();
    const managed = secret({ annotations: { "sealedsecrets.bitnami.com/patch": "true", "sealedsecrets.bitnami.com/managed": "true" } });
    expect(mergeSecret(managed, desired, "patch").metadata.ownerReferences).toEqual([owner]);
  });

  it("sees no change when only server fields differ, and a change for data, labels, owners or type", () => {
    const existing = { ...structuredClone(desired), metadata: { ...structuredClone(desired.metadata), resourceVersion: "9", uid: "u" } };
    expect(sameSecret(existing, mergeSecret(existing, desired, "replace"))).toBe(true);
    for (const edit of [
      (s: SecretObject) => (s.data = { k: "eA==" }),
      (s: SecretObject) => (s.metadata.labels = {}),
      (s: SecretObject) => (s.metadata.ownerReferences = []),
      (s: SecretObject) => (s.type = "kubernetes.io/tls"),
    ]) {
      const changed = structuredClone(existing);
      edit(changed);
      expect(sameSecret(changed, desired)).toBe(false);
    }
  });

  it("treats a missing type as Opaque, as the API server defaults it", () => {
    const a = secret({}, { k: "eA==" });
    const b = { ...secret({}, { k: "eA==" }), type: "Opaque" };
    expect(sameSecret(a, b)).toBe(true);
  });
});
