import { DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";
import vault from "node-vault";
import { expect, it } from "vitest";
import { describePeers, peers, uniqueName } from "../../support/peers.js";

describePeers("OpenBao (real Vault API)", () => {
  it("writes and reads a KV v2 secret at two versions", async () => {
    const env = peers();
    const client = vault({ apiVersion: "v1", endpoint: env.vault.addr, token: env.vault.token });
    const path = `${env.vault.kvMount}/data/${uniqueName("kv")}`;
    await client.write(path, { data: { password: "one" } });
    await client.write(path, { data: { password: "two" } });
    const latest = (await client.read(path)) as { data: { data: { password: string }; metadata: { version: number } } };
    expect(latest.data.data.password).toBe("two");
    expect(latest.data.metadata.version).toBe(2);
    const first = (await client.read(`${path}?version=1`)) as { data: { data: { password: string } } };
    expect(first.data.data.password).toBe("one");
  });

  it("round-trips a value through transit encrypt and decrypt", async () => {
    const env = peers();
    const client = vault({ apiVersion: "v1", endpoint: env.vault.addr, token: env.vault.token });
    const plaintext = Buffer.from("transit-roundtrip-value").toString("base64");
    const enc = (await client.write(`${env.vault.transitMount}/encrypt/${env.vault.transitKey}`, { plaintext })) as { data: { ciphertext: string } };
    expect(enc.data.ciphertext).toMatch(/^vault:v1:/);
    const dec = (await client.write(`${env.vault.transitMount}/decrypt/${env.vault.transitKey}`, { ciphertext: enc.data.ciphertext })) as { data: { plaintext: string } };
    expect(dec.data.plaintext).toBe(plaintext);
  });

  it("denies a wrong token", async () => {
    const env = peers();
    const client = vault({ apiVersion: "v1", endpoint: env.vault.addr, token: "not-a-token" });
    await expect(client.read(`${env.vault.kvMount}/data/anything`)).rejects.toMatchObject({ response: { statusCode: 403 } });
  });
});

describePeers("local-kms (real AWS KMS API)", () => {
  function kms(): KMSClient {
    const env = peers();
    return new KMSClient({ endpoint: env.kms.endpoint, region: env.kms.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  }

  it("encrypts and decrypts with an EncryptionContext", async () => {
    const env = peers();
    const context = { app: "sigil", purpose: uniqueName("ctx") };
    const enc = await kms().send(new EncryptCommand({ KeyId: env.kms.keyArns[0], Plaintext: Buffer.from("kms-plaintext"), EncryptionContext: context }));
    const dec = await kms().send(new DecryptCommand({ KeyId: env.kms.keyArns[0], CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe("kms-plaintext");
  });

  it("rejects a wrong EncryptionContext", async () => {
    const env = peers();
    const enc = await kms().send(new EncryptCommand({ KeyId: env.kms.keyArns[0], Plaintext: Buffer.from("x-value"), EncryptionContext: { app: "right" } }));
    await expect(
      kms().send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: "wrong" } })),
    ).rejects.toMatchObject({ name: "InvalidCiphertextException" });
  });

  it("resolves the seeded alias to the first fixed key", async () => {
    const env = peers();
    const enc = await kms().send(new EncryptCommand({ KeyId: env.kms.aliasArn, Plaintext: Buffer.from("via-alias") }));
    expect(enc.KeyId).toBe(env.kms.keyArns[0]);
  });
});
