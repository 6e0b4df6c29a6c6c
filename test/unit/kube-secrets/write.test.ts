import { describe, expect, it } from "vitest";
import { SigilError } from "../../../src/core/index.js";
import { SECRETS, resourcePath } from "../../../src/kube/index.js";
import type { SecretObject } from "../../../src/kube/index.js";
import { controllerReference, isControlledBy, mergeSecret, writeMode, writeSecret } from "../../../src/kube/secrets/index.js";
import type { ProducerPolicy } from "../../../src/kube/secrets/index.js";
import { FakeKubeClient } from "../../../src/kube/testing/index.js";

const owner = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "db", uid: "uid-es" } };
const policy: ProducerPolicy = {
  ownerUid: "uid-es",
  producedAnnotation: "example.sigil.dev/produced",
  refuse: (s) => new SigilError("apply.conflict", "not ours", { subject: s.metadata.name }),
};
const secret = (meta: Partial<SecretObject["metadata"]>, data: Record<string, string> = { k: "djE=" }): SecretObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "ns", ...meta }, data });

describe("the shared produced-Secret writer with a producer policy of its own", () => {
  it.each([
    { reason: "no Secret: create", existing: undefined, mode: "create" },
    { reason: "controlled by the producer: replace", existing: secret({ ownerReferences: [controllerReference(owner)] }), mode: "replace" },
    { reason: "marked by the producer, owner removed: replace", existing: secret({ annotations: { "example.sigil.dev/produced": "x" } }), mode: "replace" },
    { reason: "bitnami's managed annotation means nothing to a policy without it", existing: secret({ annotations: { "sealedsecrets.bitnami.com/managed": "true" } }), mode: "refuse" },
    { reason: "owned by another object: refuse", existing: secret({ ownerReferences: [{ ...controllerReference(owner), uid: "other" }] }), mode: "refuse" },
  ] as const)("$reason", ({ existing, mode }) => {
    if (mode === "refuse") expect(() => writeMode(existing, policy)).toThrow(expect.objectContaining({ code: "apply.conflict" }) as Error);
    else expect(writeMode(existing, policy)).toBe(mode);
  });

  it("creates, then writes nothing when nothing changed, then replaces only what changed", async () => {
    const client = new FakeKubeClient();
    const desired = secret({ ownerReferences: [controllerReference(owner)], annotations: { "example.sigil.dev/produced": "v1" } });
    const written: string[] = [];
    const onWritten = (key: string, rv: string): void => {
      written.push(`${key}@${rv}`);
    };
    expect(await writeSecret(client, undefined, mergeSecret(undefined, desired, "create"), onWritten)).toBe("created");
    const path = resourcePath(SECRETS, { namespace: "ns", name: "db" });
    const existing = await client.get<SecretObject>(path);
    expect(existing !== undefined && isControlledBy(existing, "uid-es")).toBe(true);
    const writes = client.writes;
    expect(await writeSecret(client, existing, mergeSecret(existing, desired, writeMode(existing, policy)))).toBe("unchanged");
    expect(client.writes).toBe(writes);
    const changed = secret({ ownerReferences: [controllerReference(owner)], annotations: { "example.sigil.dev/produced": "v2" } }, { k: "djI=" });
    expect(await writeSecret(client, existing, mergeSecret(existing, changed, "replace"), onWritten)).toBe("updated");
    expect((await client.get<SecretObject>(path))?.data).toEqual({ k: "djI=" });
    expect(written).toHaveLength(2);
  });

  it("fails with kube.conflict when the Secret changed since it was read, writing nothing", async () => {
    const client = new FakeKubeClient();
    const desired = secret({ annotations: { "example.sigil.dev/produced": "v1" } });
    await writeSecret(client, undefined, desired);
    const path = resourcePath(SECRETS, { namespace: "ns", name: "db" });
    const stale = await client.get<SecretObject>(path);
    await client.patch(path, { metadata: { labels: { touched: "yes" } } }, "merge");
    const next = secret({ annotations: { "example.sigil.dev/produced": "v2" }, resourceVersion: stale?.metadata.resourceVersion ?? "" }, { k: "bmV3" });
    await expect(writeSecret(client, stale, mergeSecret(stale, next, "replace"))).rejects.toMatchObject({ code: "kube.conflict" });
    expect((await client.get<SecretObject>(path))?.data).toEqual({ k: "djE=" });
  });
});
