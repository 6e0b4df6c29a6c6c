/**
 * Issue 7, class 8: sizes and shapes. Strict base64 is decoded by one
 * linear decoder (src/core/base64.ts) at every entry point: the regex it
 * replaced overflowed the stack on 4 MiB in unseal, the b64dec template
 * function, and the KMS and Vault providers.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KmsProvider, VaultTransitProvider } from "../../../src/providers/index.js";
import type { KmsClient, VaultClient } from "../../../src/providers/index.js";
import { sigil as sealedCli, tempDir } from "../sealed-secrets/cli-support.js";
import { fixturePath } from "../sealed-secrets/support.js";

const FOUR_MIB = 4 * 1024 * 1024;

describe("4 MiB values through every strict base64 decoder", () => {
  it("unseals what seal produced from one 4 MiB value, through the CLI", async () => {
    const dir = tempDir();
    const value = Buffer.alloc(FOUR_MIB, 0x61);
    const secret = join(dir, "s.json");
    writeFileSync(secret, JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "big", namespace: "ns" }, data: { v: value.toString("base64") } }));
    const sealed = await sealedCli(["seal", "--cert", fixturePath("key1.crt"), "-f", secret]);
    expect(sealed.code, sealed.stderr).toBe(0);
    const r = await sealedCli(["unseal", "--private-key", fixturePath("key1.pem"), "-o", "json"], { stdin: sealed.stdout });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { data: { v: string } };
    expect(out.data.v === value.toString("base64")).toBe(true);
  });

  it("b64dec decodes a 4 MiB template argument", async () => {
    const dir = tempDir();
    const inner = Buffer.alloc(3 * 1024 * 1024, 0x62).toString("base64");
    const secret = join(dir, "s.json");
    writeFileSync(secret, JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "t", namespace: "ns" }, stringData: { v: inner } }));
    const sealed = await sealedCli(["seal", "--cert", fixturePath("key1.crt"), "-f", secret]);
    expect(sealed.code, sealed.stderr).toBe(0);
    const obj = JSON.parse(sealed.stdout) as { spec: { template: Record<string, unknown> } };
    obj.spec.template = { ...obj.spec.template, data: { out: "{{ b64dec .v }}" } };
    const r = await sealedCli(["unseal", "--private-key", fixturePath("key1.pem"), "-o", "json"], { stdin: JSON.stringify(obj) });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { data: { out: string } };
    expect(Buffer.from(out.data.out, "base64").length).toBe(3 * 1024 * 1024);
  });

  it("the KMS provider accepts a 4 MiB wrapped key as base64 and asks KMS (no stack overflow)", async () => {
    let asked = 0;
    const client: KmsClient = {
      encrypt: () => Promise.reject(new Error("unused")),
      decrypt: () => {
        asked++;
        return Promise.resolve({ Plaintext: new Uint8Array(32) });
      },
    };
    const provider = new KmsProvider({ clients: () => client });
    const enc = Buffer.alloc(FOUR_MIB, 1).toString("base64");
    expect(await provider.unwrap({ type: "kms", arn: "arn:aws:kms:eu-west-2:111122223333:key/6f1b0a3e-5d2c-4c8e-9a41-0b7e2f9d3c11" }, enc)).toHaveLength(32);
    expect(asked).toBe(1);
  });

  it("the Vault provider accepts a 4 MiB plaintext from transit (no stack overflow)", async () => {
    const plaintext = Buffer.alloc(FOUR_MIB, 2);
    const client: VaultClient = { write: () => Promise.resolve({ data: { plaintext: plaintext.toString("base64") } }) };
    const provider = new VaultTransitProvider({ clients: () => client, token: () => Promise.resolve("t") });
    const key = { type: "hc_vault", vaultAddress: "http://vault.test:8200", enginePath: "transit", keyName: "sops" } as const;
    expect(Buffer.from(await provider.unwrap(key, "vault:v1:x")).equals(plaintext)).toBe(true);
  });
});
