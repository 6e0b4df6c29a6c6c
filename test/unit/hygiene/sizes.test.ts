/**
 * Issue 7, class 8: sizes and shapes. Strict base64 is decoded by one
 * linear decoder (src/core/base64.ts) at every entry point: the regex it
 * replaced overflowed the stack on 4 MiB in unseal, the b64dec template
 * function, and the KMS and Vault providers.
 */
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KmsProvider, VaultTransitProvider } from "../../../src/providers/index.js";
import type { KmsClient, VaultClient } from "../../../src/providers/index.js";
import { sigil as sealedCli, tempDir } from "../sealed-secrets/cli-support.js";
import { fixturePath } from "../sealed-secrets/support.js";
import { sigil as sopsCli, tempDir as tempSopsDir } from "../sops/cli-support.js";
import { AGE_RECIPIENT } from "../sops/helpers.js";

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

describe("input limits, consistent between the command that writes a file and the one that reads it", () => {
  it("decrypt reads by default what encrypt writes by default from an input just under 5 MiB", async () => {
    const dir = tempSopsDir();
    const line = `k${"x".repeat(20)}: ${"v".repeat(200)}\n`;
    const doc = Array.from({ length: Math.floor((5 * 1024 * 1024 - 1024) / (line.length + 6)) }, (_, i) => `${i}${line}`).join("");
    writeFileSync(join(dir, "big.yaml"), doc);
    const enc = await sopsCli(["encrypt", "--age", AGE_RECIPIENT, "--output", "big.enc.yaml", "big.yaml"], dir);
    expect(enc.code, enc.err).toBe(0);
    expect(statSync(join(dir, "big.enc.yaml")).size).toBeGreaterThan(5 * 1024 * 1024);
    const dec = await sopsCli(["decrypt", "big.enc.yaml"], dir);
    expect(dec.code, dec.err).toBe(0);
    expect(dec.out.length).toBe(doc.length);
  });

  it("encrypt refuses to write a file larger than decrypt reads with the same limit (4x), and writes nothing", async () => {
    const dir = tempSopsDir();
    writeFileSync(join(dir, "tiny.env"), Array.from({ length: 6000 }, (_, i) => `k${i}=1\n`).join(""));
    const r = await sopsCli(["encrypt", "--age", AGE_RECIPIENT, "--max-input-size", "64KiB", "--output", "out.env", "tiny.env"], dir);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("tiny.env");
    expect(r.err).toMatch(/\[input\.too_large\]\n$/);
    expect(existsSync(join(dir, "out.env"))).toBe(false);
  });

  it("seal refuses an input over its byte limit (8 MiB by default), from a file and from stdin, naming it", async () => {
    const dir = tempDir();
    const big = JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n" }, stringData: { v: "x".repeat(8 * 1024 * 1024) } });
    writeFileSync(join(dir, "big.json"), big);
    const file = await sealedCli(["seal", "--cert", fixturePath("key1.crt"), "-f", join(dir, "big.json")]);
    expect(file.stderr).toContain(join(dir, "big.json"));
    expect(file.stderr).toMatch(/more than the limit of 8388608 bytes.*\[input\.too_large\]\n$/);
    const stdin = await sealedCli(["seal", "--cert", fixturePath("key1.crt")], { stdin: big });
    expect(stdin.stderr).toMatch(/<stdin>: the input is more than the limit of 8388608 bytes.*\[input\.too_large\]\n$/);
    const raised = await sealedCli(["seal", "--cert", fixturePath("key1.crt"), "--max-input-size", "9MiB", "-f", join(dir, "big.json")]);
    expect(raised.code, raised.stderr).toBe(0);
  });

  it("seal refuses a Secret with more than 10,000 keys before sealing any", async () => {
    const data = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, "dg=="]));
    const r = await sealedCli(["seal", "--cert", fixturePath("key1.crt")], { stdin: JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n" }, data }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Secret/n/s");
    expect(r.stderr).toMatch(/10001 keys, more than the limit of 10000.*\[input\.too_large\]\n$/);
  });

  it("unseal refuses an input over its byte limit (32 MiB, which covers what seal's limits can produce)", async () => {
    const r = await sealedCli(["unseal", "--private-key", fixturePath("key1.pem")], { stdin: Buffer.alloc(32 * 1024 * 1024 + 1, 0x20) });
    expect(r.stderr).toMatch(/<stdin>: the input is more than the limit of 33554432 bytes.*\[input\.too_large\]\n$/);
  });
});
