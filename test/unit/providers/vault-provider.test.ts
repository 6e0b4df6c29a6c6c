import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { REDACTED, isSigilError, redact } from "../../../src/core/index.js";
import { VaultTransitProvider, nodeVaultClientFactory } from "../../../src/providers/index.js";
import type { VaultClient, VaultClientParams, VaultKeyRef } from "../../../src/providers/index.js";
import { canary, canaryBytes, expectNoLeak } from "../../support/canary.js";
import { rejection } from "../../support/errors.js";
import { errorSurface, loggedLines } from "./helpers.js";

const KEY: VaultKeyRef = { type: "hc_vault", vaultAddress: "http://vault.test:8200", enginePath: "team/transit", keyName: "sops" };

/** A fake transit engine: ciphertext = "vault:v1:" + base64(plaintext), reversed. Records every call. */
function fakeVault(write?: VaultClient["write"], token: string | undefined | null = "t0ken") {
  const calls: { params: VaultClientParams; path: string; data: Readonly<Record<string, unknown>> }[] = [];
  const clients = (params: VaultClientParams): VaultClient => ({
    write: (path, data) => {
      calls.push({ params, path, data });
      if (write) return write(path, data);
      if (path.includes("/encrypt/")) return Promise.resolve({ data: { ciphertext: `vault:v1:${String(data["plaintext"])}`, key_version: 1 } });
      return Promise.resolve({ data: { plaintext: String(data["ciphertext"]).slice("vault:v1:".length) } });
    },
  });
  const provider = new VaultTransitProvider({ clients, token: () => Promise.resolve(token ?? undefined), namespace: "ns1" });
  return { provider, calls };
}

function apiError(statusCode: number, errors: string[]): Error {
  return Object.assign(new Error(errors[0] ?? `Status ${statusCode}`), { response: { statusCode, body: { errors } } });
}

describe("Vault transit provider (fake client; the real path is in test/integration/providers/vault.test.ts)", () => {
  it("encrypts at <engine>/encrypt/<key> with base64 plaintext, the token and the namespace, and keeps the ciphertext verbatim", async () => {
    const { provider, calls } = fakeVault();
    const enc = await provider.wrap(KEY, Buffer.from("data-key"));
    expect(enc).toBe(`vault:v1:${Buffer.from("data-key").toString("base64")}`);
    expect(calls[0]).toEqual({
      params: { address: "http://vault.test:8200", token: "t0ken", namespace: "ns1" },
      path: "team/transit/encrypt/sops",
      data: { plaintext: Buffer.from("data-key").toString("base64") },
    });
  });

  it("decrypts at <engine>/decrypt/<key> with the stored ciphertext", async () => {
    const { provider, calls } = fakeVault();
    const enc = await provider.wrap(KEY, Buffer.from("data-key"));
    expect(Buffer.from(await provider.unwrap(KEY, enc)).toString()).toBe("data-key");
    expect(calls[1]).toMatchObject({ path: "team/transit/decrypt/sops", data: { ciphertext: enc } });
  });

  it("refuses to call Vault without a token, saying where a token comes from", async () => {
    const { provider, calls } = fakeVault(undefined, null);
    const err = await rejection(provider.wrap(KEY, new Uint8Array(1)));
    expect(err.code).toBe("provider.not_configured");
    expect(err.message).toContain("VAULT_TOKEN");
    expect(err.message).toContain("~/.vault-token");
    expect(calls).toHaveLength(0);
  });

  it("rejects an enc that is not a vault:vN: string without calling Vault", async () => {
    const { provider, calls } = fakeVault();
    expect((await rejection(provider.unwrap(KEY, "AAAA"))).code).toBe("decrypt.invalid_ciphertext");
    expect(calls).toHaveLength(0);
  });

  it("treats a response without a ciphertext or plaintext as provider.failed", async () => {
    const { provider } = fakeVault(() => Promise.resolve({ data: {} }));
    expect((await rejection(provider.wrap(KEY, new Uint8Array(1)))).code).toBe("provider.failed");
    expect((await rejection(provider.unwrap(KEY, "vault:v1:abc"))).code).toBe("provider.failed");
  });

  const errorCases = [
    { error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), code: "provider.unreachable", reason: "connection refused" },
    { error: Object.assign(new Error("timeout of 15000ms exceeded"), { code: "ECONNABORTED" }), code: "provider.unreachable", reason: "a timeout" },
    { error: Object.assign(new Error("getaddrinfo"), { code: "ENOTFOUND" }), code: "provider.unreachable", reason: "an unknown host" },
    { error: apiError(503, ["Vault is sealed"]), code: "provider.unreachable", reason: "a sealed server (503)" },
    { error: apiError(403, ["permission denied"]), code: "provider.denied", reason: "a bad token or missing policy (403)" },
    { error: apiError(401, []), code: "provider.denied", reason: "401" },
    { error: apiError(400, ["invalid ciphertext: no prefix"]), code: "decrypt.invalid_ciphertext", reason: "a ciphertext Vault rejects (400)" },
    { error: apiError(404, []), code: "provider.failed", reason: "no such engine (404)" },
    { error: apiError(500, ["internal error"]), code: "provider.failed", reason: "a server error (500)" },
  ];
  it.each(errorCases)("maps $reason to $code", async ({ error, code }) => {
    const { provider } = fakeVault(() => Promise.reject(error));
    const err = await rejection(provider.unwrap(KEY, "vault:v1:abc"));
    expect(err.code).toBe(code);
    expect(err.subject).toBe("vault transit key http://vault.test:8200/v1/team/transit/keys/sops");
  });

  it("registers the unwrapped key with the redactor", async () => {
    const { provider } = fakeVault();
    const secret = Buffer.from("vault-unwrapped-secret-key-01234");
    await provider.unwrap(KEY, await provider.wrap(KEY, secret));
    expect(redact(`x ${secret.toString("hex")}`)).toBe(`x ${REDACTED}`);
  });

  it("canary on the encrypt path: the plaintext never appears in thrown errors or log lines", async () => {
    const secret = canary("vault-wrap");
    // An axios-like error that carries the request body, as real ones do.
    const withRequest = (data: unknown): Error =>
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", config: { data: JSON.stringify(data) } });
    const failures: VaultClient["write"][] = [
      (_p, data) => Promise.reject(withRequest(data)),
      (_p, data) => Promise.reject(Object.assign(apiError(500, ["internal error"]), { config: { data: JSON.stringify(data) } })),
      () => Promise.reject(apiError(403, ["permission denied"])),
      () => Promise.reject(new Error("odd")),
    ];
    for (const write of failures) {
      const { provider, calls } = fakeVault(write);
      const err = await rejection(provider.wrap(KEY, canaryBytes(secret)));
      expect(calls[0]?.data["plaintext"], "the fake saw the canary").toBe(canaryBytes(secret).toString("base64"));
      expect(isSigilError(err)).toBe(true);
      expectNoLeak({ error: errorSurface(err), log: loggedLines(err).join("\n") }, secret);
    }
  });

  it("canary on the decrypt path: a plaintext in the response, or in an error that carries or quotes it, never appears in errors or log lines", async () => {
    const secret = canary("vault-unwrap");
    const b64 = canaryBytes(secret).toString("base64");
    const body = { data: { plaintext: b64 } };
    // The fake's ciphertext is the base64 plaintext, so unwrap's input carries the canary too.
    const enc = `vault:v1:${b64}`;
    const failures: { reason: string; write: VaultClient["write"] }[] = [
      { reason: "a network error carrying the request", write: (_p, data) => Promise.reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET", config: { data: JSON.stringify(data) } })) },
      { reason: "an HTTP error carrying the response", write: () => Promise.reject(Object.assign(apiError(500, ["internal error"]), { response: { statusCode: 500, body } })) },
      { reason: "a 400 carrying the response", write: () => Promise.reject(Object.assign(apiError(400, ["invalid ciphertext"]), { response: { statusCode: 400, body } })) },
      { reason: "a parse error quoting the response", write: () => Promise.reject(new SyntaxError(`Unexpected token in JSON at position 44: ${JSON.stringify(body)}`)) },
      { reason: "a response whose plaintext is not base64", write: () => Promise.resolve({ data: { plaintext: `${secret.value}%%%` } }) },
      { reason: "a response whose plaintext is not a string", write: () => Promise.resolve({ data: { plaintext: [b64] } }) },
    ];
    for (const { reason, write } of failures) {
      const { provider, calls } = fakeVault(write);
      const err = await rejection(provider.unwrap(KEY, enc));
      expect(calls, reason).toHaveLength(1);
      expect(isSigilError(err), reason).toBe(true);
      expectNoLeak({ [`${reason}: error`]: errorSurface(err), [`${reason}: log`]: loggedLines(err).join("\n") }, secret);
    }
    // And the success path: the fake returns the canary, which comes back as bytes and is registered.
    const { provider } = fakeVault();
    expect(Buffer.from(await provider.unwrap(KEY, enc)).toString()).toBe(secret.value);
    expect(redact(`<${b64}>`)).toBe(`<${REDACTED}>`);
  });
});

describe("node-vault clients", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => {
      if (server) server.close(() => { resolve(); });
      else resolve();
    });
    server = undefined;
  });

  async function listen(status: number, body: unknown): Promise<{ address: string; seen: { url?: string | undefined; method?: string | undefined; headers?: IncomingHttpHeaders } }> {
    const seen: { url?: string | undefined; method?: string | undefined; headers?: IncomingHttpHeaders } = {};
    server = createServer((req, res) => {
      seen.url = req.url;
      seen.method = req.method;
      seen.headers = req.headers;
      req.resume();
      req.on("end", () => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body)));
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return { address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  it("sends POST /v1/<engine>/decrypt/<key> with the token and namespace headers, ignoring node-vault's env fallbacks", async () => {
    const { address, seen } = await listen(200, { data: { plaintext: Buffer.from("k").toString("base64") } });
    const saved: { ns: string | undefined; prefix: string | undefined } = { ns: process.env["VAULT_NAMESPACE"], prefix: process.env["VAULT_PREFIX"] };
    process.env["VAULT_NAMESPACE"] = "from-env";
    process.env["VAULT_PREFIX"] = "/prefix-from-env";
    try {
      const client = nodeVaultClientFactory()({ address, token: "tok", namespace: undefined });
      await client.write("team/transit/decrypt/sops", { ciphertext: "vault:v1:x" });
    } finally {
      if (saved.ns === undefined) delete process.env["VAULT_NAMESPACE"];
      else process.env["VAULT_NAMESPACE"] = saved.ns;
      if (saved.prefix === undefined) delete process.env["VAULT_PREFIX"];
      else process.env["VAULT_PREFIX"] = saved.prefix;
    }
    expect(seen.method).toBe("POST"); // Vault treats POST and PUT alike
    expect(seen.url).toBe("/v1/team/transit/decrypt/sops");
    expect(seen.headers?.["x-vault-token"]).toBe("tok");
    expect(seen.headers?.["x-vault-namespace"]).toBeUndefined();
  });

  it("sends X-Vault-Namespace when a namespace is configured", async () => {
    const { address, seen } = await listen(200, { data: {} });
    await nodeVaultClientFactory()({ address, token: "tok", namespace: "team-a" }).write("t/encrypt/k", {});
    expect(seen.headers?.["x-vault-namespace"]).toBe("team-a");
  });

  it("maps a 403 from a real HTTP exchange to provider.denied", async () => {
    const { address } = await listen(403, { errors: ["permission denied"] });
    const provider = new VaultTransitProvider({ clients: nodeVaultClientFactory(), token: () => Promise.resolve("bad") });
    const err = await rejection(provider.unwrap({ ...KEY, vaultAddress: address }, "vault:v1:abc"));
    expect(err.code).toBe("provider.denied");
    expect(err.message).toContain("permission denied");
  });

  it("maps a refused connection to provider.unreachable", async () => {
    const provider = new VaultTransitProvider({ clients: nodeVaultClientFactory(), token: () => Promise.resolve("t") });
    const err = await rejection(provider.unwrap({ ...KEY, vaultAddress: "http://127.0.0.1:1" }, "vault:v1:abc"));
    expect(err.code).toBe("provider.unreachable");
  });
});
