import { describe, expect, it } from "vitest";
import type { SealedSecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { inputsDigest, producedKeys } from "../../../src/operator/sealed-secrets/fingerprint.js";
import { SEALED_SECRET_TRANSFORM, specChanged } from "../../../src/operator/sealed-secrets/watch.js";
import type { CachedSealedSecret } from "../../../src/operator/sealed-secrets/watch.js";

// Ciphertexts long enough to be recognised in the cached form if any piece of them stayed.
const CIPHER_A = `AgB${"a".repeat(700)}`;
const CIPHER_B = `AgB${"b".repeat(700)}`;

const watched = (over: Partial<SealedSecretObject["spec"]> = {}, meta: Record<string, unknown> = {}): unknown => ({
  apiVersion: "bitnami.com/v1alpha1",
  kind: "SealedSecret",
  metadata: { name: "app", namespace: "ns", uid: "u1", generation: 1, resourceVersion: "7", managedFields: [{ manager: "kubectl" }], ...meta },
  spec: { encryptedData: { a: CIPHER_A, b: CIPHER_B }, template: { metadata: { labels: { app: "x" } }, data: { c: "{{ .a }}" } }, ...over },
  status: { observedGeneration: 1, conditions: [{ type: "Synced", status: "True" }] },
});

const cache = (object: unknown): CachedSealedSecret => SEALED_SECRET_TRANSFORM.apply(structuredClone(object));

describe("the cached form of a SealedSecret (its head)", () => {
  it("keeps no ciphertext and no bookkeeping, but the inputs digest and produced keys of the whole object", () => {
    const object = watched();
    const head = cache(object);
    const text = JSON.stringify(head);
    expect(text).not.toContain("aaaaaaaaaa");
    expect(text).not.toContain("bbbbbbbbbb");
    expect(text).not.toContain("managedFields");
    expect(head.invalid).toBeUndefined();
    expect(head.inputs).toBe(inputsDigest(object as SealedSecretObject));
    expect(head.keys).toEqual(producedKeys(object as SealedSecretObject));
    expect(head.keys).toEqual(["a", "b", "c"]);
    expect(head.spec.template?.metadata?.labels).toEqual({ app: "x" });
    expect(head.status?.conditions?.[0]?.status).toBe("True");
    expect(head.metadata.uid).toBe("u1");
  });

  it("drops the v1 blob too (no produced keys: it must be unsealed to know them)", () => {
    const head = cache(watched({ encryptedData: {}, data: `AgB${"c".repeat(700)}` }));
    expect(JSON.stringify(head)).not.toContain("cccccccccc");
    expect(head.keys).toBeUndefined();
  });

  it("counts a changed ciphertext or template as a change, and a status-only update as none", () => {
    const head = cache(watched());
    const statusOnly = cache({ ...(watched() as object), status: { observedGeneration: 1, conditions: [] } });
    expect(specChanged(head, statusOnly)).toBe(false);
    expect(specChanged(head, cache(watched({ encryptedData: { a: CIPHER_B, b: CIPHER_A } })))).toBe(true);
    expect(specChanged(head, cache(watched({ template: { data: { c: "{{ .b }}" } } })))).toBe(true);
  });

  it("keeps an invalid object's metadata, status and error, and sees a fix as a change", () => {
    const broken = cache(watched({ encryptedData: { a: 42 } as unknown as Record<string, string> }));
    expect(broken.invalid?.code).toBe("input.invalid");
    expect(broken.metadata.name).toBe("app");
    expect(broken.status?.observedGeneration).toBe(1);
    expect(JSON.stringify({ ...broken, invalid: undefined })).not.toContain("bbbbbbbbbb");
    expect(specChanged(broken, cache(watched()))).toBe(true);
    expect(specChanged(broken, cache(watched({ encryptedData: { a: 43 } as unknown as Record<string, string> })))).toBe(true);
  });
});
