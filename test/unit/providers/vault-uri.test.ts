import { describe, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import { parseVaultTransitUri, parseVaultTransitUris, vaultTransitUri } from "../../../src/providers/index.js";

describe("Vault transit URIs", () => {
  const good = [
    {
      uri: "https://vault.example.com:8200/v1/transit/keys/sops",
      ref: { vaultAddress: "https://vault.example.com:8200", enginePath: "transit", keyName: "sops" },
      reason: "the documented form",
    },
    {
      uri: "http://127.0.0.1:8200/v1/team/a/transit/keys/my-key/",
      ref: { vaultAddress: "http://127.0.0.1:8200", enginePath: "team/a/transit", keyName: "my-key" },
      reason: "a multi-segment engine path and a trailing slash",
    },
    {
      uri: "  https://vault.example.com/v1/sops/keys/k  ",
      ref: { vaultAddress: "https://vault.example.com", enginePath: "sops", keyName: "k" },
      reason: "no port, surrounding spaces",
    },
    {
      uri: "https://Vault.Example.com:443/v1/transit/keys/sops",
      ref: { vaultAddress: "https://Vault.Example.com:443", enginePath: "transit", keyName: "sops" },
      reason: "the host's case and an explicit default port kept as written, as sops keeps them",
    },
  ];
  it.each(good)("parses $reason", ({ uri, ref }) => {
    expect(parseVaultTransitUri(uri)).toEqual({ type: "hc_vault", ...ref });
  });

  it("prints a key back as the URI it came from", () => {
    const uri = "https://vault.example.com:8200/v1/team/transit/keys/sops";
    expect(vaultTransitUri(parseVaultTransitUri(uri))).toBe(uri);
  });

  const bad = [
    { uri: "https://proxy.example.com/vault/v1/transit/keys/sops", why: "a prefix before /v1/ is not supported", reason: "a prefix before /v1/" },
    { uri: "vault.example.com:8200/v1/transit/keys/sops", why: "unsupported scheme", reason: "no scheme" },
    { uri: "https://vault.example.com/v2/transit/keys/sops", why: "/v1/<engine path>/keys/<key name>", reason: "another API version" },
    { uri: "https://vault.example.com/v1/transit/sops", why: "/v1/<engine path>/keys/<key name>", reason: "no keys segment" },
    { uri: "https://vault.example.com/v1/keys/sops", why: "/v1/<engine path>/keys/<key name>", reason: "no engine path" },
    { uri: "https://vault.example.com/v1/transit/keys/sops?x=1", why: "query and fragment", reason: "a query string" },
    { uri: "", why: "not a url", reason: "an empty string" },
  ];
  it.each(bad)("rejects $reason with provider.invalid_key, naming the URI", ({ uri, why }) => {
    let caught: unknown;
    try {
      parseVaultTransitUri(uri);
    } catch (err) {
      caught = err;
    }
    expect(isSigilError(caught, "provider.invalid_key")).toBe(true);
    expect((caught as Error).message).toContain(`'${uri.trim()}'`);
    expect((caught as Error).message).toContain(why);
  });

  it("parses a comma-separated list and drops empty items", () => {
    const list = "https://a.example/v1/transit/keys/one,,https://b.example/v1/t/keys/two";
    expect(parseVaultTransitUris(list).map(vaultTransitUri)).toEqual(["https://a.example/v1/transit/keys/one", "https://b.example/v1/t/keys/two"]);
  });
});
