import { expect, it } from "vitest";
import { KmsProvider, sdkKmsClientFactory } from "../../../src/providers/index.js";
import type { KmsClient, KmsClientParams, KmsKeyRef } from "../../../src/providers/index.js";
import { describePeers, peers } from "../../support/peers.js";
import { rejection } from "../../support/errors.js";
import { firstEntry, openSopsValue, sopsEncrypt } from "./support.js";

const CREDS = { accessKeyId: "AKIDSIGILTEST", secretAccessKey: "sigil-test" };

function provider(endpoint = peers().kms.endpoint): KmsProvider {
  return new KmsProvider({ clients: sdkKmsClientFactory({ kmsEndpoint: endpoint, credentials: CREDS, maxAttempts: 1 }) });
}

describePeers("KMS provider against local-kms", () => {
  const key = (): KmsKeyRef => ({ type: "kms", arn: peers().kms.keyArns[0]!, context: { app: "sigil", env: "test" } });

  it("round-trips a data key with an encryption context", async () => {
    const p = provider();
    const dataKey = new Uint8Array(32).map((_, i) => i * 7);
    const enc = await p.wrap(key(), dataKey);
    expect(Buffer.from(enc, "base64").toString("base64")).toBe(enc);
    expect(await p.unwrap(key(), enc)).toEqual(dataKey);
  });

  it("round-trips through an alias ARN", async () => {
    const p = provider();
    const alias: KmsKeyRef = { type: "kms", arn: peers().kms.aliasArn };
    const enc = await p.wrap(alias, new Uint8Array(33).fill(4));
    expect(await p.unwrap(alias, enc)).toEqual(new Uint8Array(33).fill(4));
  });

  it("rejects a wrong encryption context with provider.denied", async () => {
    const p = provider();
    const enc = await p.wrap(key(), new Uint8Array(32));
    for (const context of [{ app: "sigil", env: "prod" }, undefined]) {
      const err = await rejection(p.unwrap({ ...key(), context }, enc));
      expect(err.code).toBe("provider.denied");
      expect(err.message).toContain("wrong encryption context or key");
    }
  });

  it("reports an unreachable endpoint as provider.unreachable", async () => {
    const err = await rejection(provider("http://127.0.0.1:1").unwrap(key(), "AAAA"));
    expect(err.code).toBe("provider.unreachable");
  });

  it("makes exactly one Decrypt call per unwrap (counted by an instrumented client)", async () => {
    const real = sdkKmsClientFactory({ kmsEndpoint: peers().kms.endpoint, credentials: CREDS });
    let decrypts = 0;
    const counting = (params: KmsClientParams): KmsClient => {
      const c = real(params);
      return {
        encrypt: (input) => c.encrypt(input),
        decrypt: (input) => {
          decrypts++;
          return c.decrypt(input);
        },
      };
    };
    const p = new KmsProvider({ clients: counting });
    const enc = await p.wrap(key(), new Uint8Array(32));
    await p.unwrap(key(), enc);
    expect(decrypts).toBe(1);
  });

  it("unwraps the data key the real sops wrapped with the same key and context", async () => {
    const { kms } = peers();
    const written = sopsEncrypt(["--kms", kms.keyArns[0]!, "--encryption-context", "app:sigil,env:test"], {
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
    });
    const entry = firstEntry(written.meta, "kms");
    expect(entry["context"]).toEqual({ app: "sigil", env: "test" });
    const dataKey = await provider().unwrap(key(), String(entry["enc"]));
    expect(openSopsValue(dataKey, written.password)).toBe(written.plaintext);
  });
});
