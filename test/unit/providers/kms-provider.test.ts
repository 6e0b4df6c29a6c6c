import { describe, expect, it } from "vitest";
import { REDACTED, isSigilError, redact } from "../../../src/core/index.js";
import { KmsProvider, sdkKmsClientFactory } from "../../../src/providers/index.js";
import type { KmsClient, KmsClientParams, KmsKeyRef } from "../../../src/providers/index.js";
import { canary, canaryBytes, expectNoLeak } from "../../support/canary.js";
import { rejection } from "../../support/errors.js";
import { errorSurface, loggedLines } from "./helpers.js";

const ARN = "arn:aws:kms:eu-west-2:111122223333:key/6f1b0a3e-5d2c-4c8e-9a41-0b7e2f9d3c11";
const KEY: KmsKeyRef = { type: "kms", arn: ARN, context: { app: "demo" } };

/** A fake KMS: "encrypts" by prefixing the context, records every call. */
function fakeKms(overrides: Partial<KmsClient> = {}) {
  const calls: { op: string; params: KmsClientParams; input: unknown }[] = [];
  const factory = (params: KmsClientParams): KmsClient => ({
    encrypt: (input) => {
      calls.push({ op: "encrypt", params, input });
      if (overrides.encrypt) return overrides.encrypt(input);
      return Promise.resolve({ CiphertextBlob: Buffer.concat([Buffer.from(JSON.stringify(input.EncryptionContext) + "|"), input.Plaintext]) });
    },
    decrypt: (input) => {
      calls.push({ op: "decrypt", params, input });
      if (overrides.decrypt) return overrides.decrypt(input);
      const blob = Buffer.from(input.CiphertextBlob);
      const bar = blob.indexOf("|");
      if (blob.subarray(0, bar).toString() !== JSON.stringify(input.EncryptionContext)) {
        return Promise.reject(Object.assign(new Error(""), { name: "InvalidCiphertextException" }));
      }
      return Promise.resolve({ Plaintext: blob.subarray(bar + 1) });
    },
  });
  return { provider: new KmsProvider({ clients: factory }), calls };
}

describe("KMS provider (fake client; the real path is in test/integration/providers/kms.test.ts)", () => {
  it("encrypts with the ARN, the context and the region from the ARN, and stores base64", async () => {
    const { provider, calls } = fakeKms();
    const enc = await provider.wrap({ ...KEY, role: "arn:aws:iam::1:role/r", awsProfile: "prod" }, new Uint8Array([1, 2, 3]));
    expect(Buffer.from(enc, "base64").toString("latin1")).toBe('{"app":"demo"}|\x01\x02\x03');
    expect(calls[0]).toMatchObject({
      op: "encrypt",
      params: { region: "eu-west-2", role: "arn:aws:iam::1:role/r", profile: "prod" },
      input: { KeyId: ARN, EncryptionContext: { app: "demo" } },
    });
  });

  it("sends an empty context when the key has none", async () => {
    const { provider, calls } = fakeKms();
    await provider.wrap({ type: "kms", arn: ARN }, new Uint8Array([1]));
    expect(calls[0]?.input).toMatchObject({ EncryptionContext: {} });
  });

  it("round-trips and makes exactly one Decrypt call per unwrap", async () => {
    const { provider, calls } = fakeKms();
    const enc = await provider.wrap(KEY, new Uint8Array(32).fill(5));
    expect(await provider.unwrap(KEY, enc)).toEqual(new Uint8Array(32).fill(5));
    expect(calls.filter((c) => c.op === "decrypt")).toHaveLength(1);
  });

  it("rejects a wrong encryption context with provider.denied and says so", async () => {
    const { provider } = fakeKms();
    const enc = await provider.wrap(KEY, new Uint8Array(32).fill(5));
    const err = await rejection(provider.unwrap({ ...KEY, context: { app: "other" } }, enc));
    expect(err.code).toBe("provider.denied");
    expect(err.message).toContain("wrong encryption context or key");
    expect(err.subject).toBe(`kms key ${ARN}`);
  });

  it("rejects an enc that is not base64 without calling KMS", async () => {
    const { provider, calls } = fakeKms();
    const err = await rejection(provider.unwrap(KEY, "not base64!"));
    expect(err.code).toBe("decrypt.invalid_ciphertext");
    expect(calls).toHaveLength(0);
  });

  it("rejects an invalid ARN with provider.invalid_key before calling KMS", async () => {
    const { provider, calls } = fakeKms();
    expect((await rejection(provider.wrap({ type: "kms", arn: "arn:aws:kms:nope" }, new Uint8Array(1)))).code).toBe("provider.invalid_key");
    expect(calls).toHaveLength(0);
  });

  const errorCases = [
    { error: Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }), code: "provider.denied", reason: "access denied" },
    { error: Object.assign(new Error(""), { name: "IncorrectKeyException" }), code: "provider.denied", reason: "a blob made under another key" },
    { error: Object.assign(new Error("expired"), { name: "ExpiredTokenException" }), code: "provider.denied", reason: "expired credentials" },
    { error: Object.assign(new Error("x"), { name: "Weird", $metadata: { httpStatusCode: 403 } }), code: "provider.denied", reason: "any HTTP 403" },
    { error: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }), code: "provider.unreachable", reason: "connection refused" },
    { error: new Error("socket failed", { cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }) }), code: "provider.unreachable", reason: "a DNS failure in the cause chain" },
    { error: new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]), code: "provider.unreachable", reason: "an AggregateError of refused connections (IPv4 and IPv6)" },
    { error: Object.assign(new Error("timed out"), { name: "TimeoutError" }), code: "provider.unreachable", reason: "a timeout" },
    { error: Object.assign(new Error("Could not load credentials"), { name: "CredentialsProviderError" }), code: "provider.not_configured", reason: "no credentials" },
    { error: Object.assign(new Error("Key not found"), { name: "NotFoundException" }), code: "provider.failed", reason: "an unknown key" },
    { error: Object.assign(new Error("disabled"), { name: "DisabledException" }), code: "provider.failed", reason: "a disabled key" },
  ];
  it.each(errorCases)("maps $reason to $code on decrypt and on encrypt", async ({ error, code }) => {
    const { provider } = fakeKms({ encrypt: () => Promise.reject(error), decrypt: () => Promise.reject(error) });
    expect((await rejection(provider.unwrap(KEY, "AAAA"))).code).toBe(code);
    expect((await rejection(provider.wrap(KEY, new Uint8Array(1)))).code).toBe(code);
  });

  it("maps a refused connection from the real SDK client to provider.unreachable", async () => {
    const provider = new KmsProvider({
      clients: sdkKmsClientFactory({ kmsEndpoint: "http://127.0.0.1:1", maxAttempts: 1, credentials: { accessKeyId: "x", secretAccessKey: "x" } }),
    });
    const err = await rejection(provider.unwrap(KEY, "AAAA"));
    expect(err.code).toBe("provider.unreachable");
  });

  it("registers the unwrapped key with the redactor", async () => {
    const { provider } = fakeKms();
    const secret = Buffer.from("kms-unwrapped-secret-key-0123456");
    const enc = await provider.wrap(KEY, secret);
    await provider.unwrap(KEY, enc);
    expect(redact(`x ${secret.toString("base64")} y`)).toBe(`x ${REDACTED} y`);
  });

  it("canary on the encrypt path: the plaintext never appears in thrown errors or log lines", async () => {
    const secret = canary("kms-wrap");
    const failing = [
      Object.assign(new Error("AccessDenied"), { name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 } }),
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      new Error("something odd"),
    ];
    for (const error of failing) {
      const { provider, calls } = fakeKms({ encrypt: () => Promise.reject(error) });
      const err = await rejection(provider.wrap(KEY, canaryBytes(secret)));
      expect(calls[0]?.input, "the fake saw the canary").toMatchObject({ Plaintext: canaryBytes(secret) });
      expect(isSigilError(err)).toBe(true);
      expectNoLeak({ error: errorSurface(err), log: loggedLines(err).join("\n") }, secret);
    }
  });

  it("canary on the decrypt path: a plaintext in the response, or in an error that carries or quotes it, never appears in errors or log lines", async () => {
    const secret = canary("kms-unwrap");
    const body = JSON.stringify({ KeyId: ARN, Plaintext: canaryBytes(secret).toString("base64") });
    // The fake's ciphertext holds the plaintext, so unwrap's input carries the canary too.
    const enc = Buffer.concat([Buffer.from(`${JSON.stringify(KEY.context)}|`), canaryBytes(secret)]).toString("base64");
    const response = { statusCode: 200, headers: {}, body };
    const failures: { reason: string; decrypt: KmsClient["decrypt"] }[] = [
      { reason: "an SDK error carrying the raw response", decrypt: () => Promise.reject(Object.assign(new Error("Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object."), { name: "SyntaxError", $response: response, $metadata: { httpStatusCode: 200 } })) },
      { reason: "a parse error quoting the response", decrypt: () => Promise.reject(new SyntaxError(`Unexpected token in JSON at position 12: ${body}`)) },
      { reason: "a service error carrying the response", decrypt: () => Promise.reject(Object.assign(new Error("internal"), { name: "KMSInternalException", $fault: "server", $response: response, $metadata: { httpStatusCode: 500 } })) },
      { reason: "a network error after the response arrived", decrypt: () => Promise.reject(Object.assign(new Error(`socket hang up after ${body}`), { code: "ECONNRESET" })) },
    ];
    for (const { reason, decrypt } of failures) {
      const { provider, calls } = fakeKms({ decrypt });
      const err = await rejection(provider.unwrap(KEY, enc));
      expect(calls, reason).toHaveLength(1);
      expect(isSigilError(err), reason).toBe(true);
      expectNoLeak({ [`${reason}: error`]: errorSurface(err), [`${reason}: log`]: loggedLines(err).join("\n") }, secret);
    }
    // And the success path: the fake returns the canary, which comes back as bytes and is registered.
    const { provider } = fakeKms();
    expect(Buffer.from(await provider.unwrap(KEY, enc)).toString()).toBe(secret.value);
    expect(redact(`<${canaryBytes(secret).toString("base64")}>`)).toBe(`<${REDACTED}>`);
  });
});
