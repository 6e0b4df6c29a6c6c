import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  mergeIntoText,
  parseManifests,
  sealSecret,
  toSealedSecret,
  unsealSealedSecret,
} from "../../../src/decrypt/sealed-secrets/index.js";
import type { SecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { fixture, fixtureKey, ring } from "./support.js";

const publicKey = createPublicKey(fixtureKey("key1").privateKey);

function update(values: Record<string, string>): ReturnType<typeof sealSecret> {
  const secret: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "kat-secret", namespace: "kat", labels: { tier: "db" } }, stringData: values };
  return sealSecret(secret, publicKey);
}

function lines(text: string): string[] {
  return text.split("\n");
}

describe("--merge-into", () => {
  it("keeps unrelated entries of a YAML file byte-identical, and its comments", () => {
    const original = `# managed by hand\n${fixture("sealed-strict.yaml")}`;
    const merged = mergeIntoText(original, update({ password: "new-password", added: "new-key" }), "f.yaml");
    const before = lines(original);
    const after = lines(merged);
    for (const line of before.filter((l) => !/^\s+(password|added):/.test(l))) expect(after).toContain(line);
    expect(merged.startsWith("# managed by hand\n---\napiVersion: bitnami.com/v1alpha1\n")).toBe(true);
    const ss = toSealedSecret(parseManifests(merged, "m")[0], "m");
    const secret = unsealSealedSecret(ss, ring("key1"));
    const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
    expect(data).toMatchObject({ username: "kat-user", password: "new-password", added: "new-key" });
    expect(ss.spec.template?.metadata?.labels).toEqual({ app: "kat", tier: "db" });
  });

  it("keeps unrelated entries of a JSON file byte-identical", () => {
    const original = fixture("sealed-namespace-wide.json");
    const merged = mergeIntoText(original, update({ added: "x" }), "f.json");
    const unrelated = lines(original).filter((l) => /"(username|password|config\.json)":/.test(l));
    expect(unrelated.length).toBe(3);
    const strip = (l: string): string => l.replace(/,$/, "");
    for (const line of unrelated) expect(lines(merged).map(strip)).toContain(strip(line));
  });

  it("converts when another format is asked for", () => {
    const merged = mergeIntoText(fixture("sealed-strict.yaml"), update({ a: "b" }), "f.yaml", "json");
    expect(merged.startsWith("{\n  \"kind\": \"SealedSecret\"")).toBe(true);
  });

  it("refuses a file that is not a SealedSecret", () => {
    expect(() => mergeIntoText("kind: Deployment\nmetadata: {name: x}\nspec: {}\n", update({ a: "b" }), "d.yaml")).toThrow(/expected a SealedSecret/);
  });
});
