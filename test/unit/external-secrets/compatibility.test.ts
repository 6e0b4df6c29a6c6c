/**
 * Pins the documented differences from ESO v0.16.2
 * (docs/external-secrets-compatibility.md): each is refused with a clear
 * code, never rendered or read half-right.
 */
import { describe, expect, it } from "vitest";
import { fetchProviderData, renderTemplate } from "../../../src/external-secrets/index.js";
import type { StoreReader } from "../../../src/external-secrets/index.js";
import { vaultProviderOf } from "../../../src/operator/external-secrets/store.js";
import { gjsonGet, parseJson } from "../../../src/providers/index.js";

const noStore: StoreReader = {
  getSecret: () => Promise.reject(new Error("must not be called")),
  getSecretMap: () => Promise.reject(new Error("must not be called")),
  getAllSecrets: () => Promise.reject(new Error("must not be called")),
};

describe("documented differences from ESO", () => {
  it.each(["pkcs12key", "toYaml", "filterPEM", "jwkPublicKeyPem", "regexReplaceAll", "now"])("refuses the template function %s", (fn) => {
    expect(() => renderTemplate(`{{ .a | ${fn} }}`, { a: "x" }, "k")).toThrow(expect.objectContaining({ code: "es.template_unsupported" }));
  });

  it.each(["if", "range", "with", "define", "template"])("refuses the %s action", (action) => {
    expect(() => renderTemplate(`{{ ${action} .a }}x{{ end }}`, { a: "x" }, "k")).toThrow(expect.objectContaining({ code: "es.template_unsupported" }));
  });

  it.each([
    { reason: "a non-vault provider", provider: { aws: { service: "SecretsManager" } }, text: "aws" },
    { reason: "ldap auth", provider: { vault: { server: "http://x", auth: { ldap: { path: "ldap", username: "u" } } } }, text: "ldap" },
    { reason: "iam auth", provider: { vault: { server: "http://x", auth: { iam: { vaultRole: "r" } } } }, text: "iam" },
  ])("refuses a store with $reason", ({ provider, text }) => {
    expect(() => vaultProviderOf({ kind: "SecretStore", metadata: { name: "s", namespace: "n" }, spec: { provider } })).toThrow(expect.objectContaining({ code: "es.store_invalid", message: expect.stringContaining(text) as unknown }));
  });

  it("refuses generators without calling any store", async () => {
    const es = { metadata: { name: "e", namespace: "n" }, spec: { dataFrom: [{ sourceRef: { generatorRef: { kind: "Password", name: "p" } } }] } };
    await expect(fetchProviderData(es, () => Promise.resolve(noStore))).rejects.toMatchObject({ code: "provider.unsupported" });
  });

  it("treats gjson queries and modifiers as not found", () => {
    const doc = parseJson('{"list":[{"a":1}],"s":"x"}', "t");
    expect(gjsonGet(doc, "list.#(a==1).a")).toBeUndefined();
    expect(gjsonGet(doc, "s|@reverse")).toBeUndefined();
    expect(gjsonGet(doc, "list.0.a")).toBe("1");
  });
});
