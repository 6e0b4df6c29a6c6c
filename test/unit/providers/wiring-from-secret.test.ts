import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REDACTED, SigilError, redact } from "../../../src/core/index.js";
import { AGE_KEY_SUFFIX, AWS_KMS_KEY, VAULT_TOKEN_KEY, buildProviderRegistryFromSecret, parseAwsCredentials } from "../../../src/providers/index.js";
import type { AgeKeyRef, KeySecret, VaultClientParams, VaultKeyRef } from "../../../src/providers/index.js";

const FIXTURES = new URL("../../fixtures/keys/", import.meta.url);
const KEY1 = readFileSync(new URL("age-1.txt", FIXTURES), "utf8");
const KEY2 = readFileSync(new URL("age-2.txt", FIXTURES), "utf8");
const R1: AgeKeyRef = { type: "age", recipient: "age1uhltqrrk67gga0a9l6pj7c9h9fyqa30x5srgtm4r4s45jn4hv49qqs74yv" };
const R2: AgeKeyRef = { type: "age", recipient: "age1rahkwnudxqfuun8jfyarm94hyzm262hff894fpwutrz4c34qhfyql2jrxw" };
const b64 = (s: string): string => Buffer.from(s).toString("base64");
const keySecret = (data: Record<string, string>): KeySecret => ({ metadata: { name: "sops-keys", namespace: "flux-system" }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });

function thrown(f: () => unknown): SigilError {
  try {
    f();
  } catch (err) {
    if (err instanceof SigilError) return err;
    throw err;
  }
  throw new Error("expected a throw");
}

describe("key providers from a Secret's keys (Flux's conventions)", () => {
  it("reads age identities from every key ending in .agekey", async () => {
    expect(AGE_KEY_SUFFIX).toBe(".agekey");
    const registry = buildProviderRegistryFromSecret(keySecret({ "a.agekey": KEY1, "team.agekey": KEY2, "notes.txt": "not a key" }));
    expect(registry.types()).toEqual(["age"]);
    const age = registry.require(R1);
    for (const ref of [R1, R2]) {
      const wrapped = await age.wrap(ref, new Uint8Array(32).fill(7));
      expect(await age.unwrap(ref, wrapped)).toEqual(new Uint8Array(32).fill(7));
    }
  });

  it("gives Vault the sops.vault-token (trimmed), and registers it as a secret", async () => {
    const token = "hvs.CANARY-from-secret-token-42";
    const seen: VaultClientParams[] = [];
    const registry = buildProviderRegistryFromSecret(keySecret({ [VAULT_TOKEN_KEY]: `${token}\n` }), {
      env: { VAULT_ADDR: "http://vault.test:8200" },
      vaultClients: (params) => {
        seen.push(params);
        return { write: () => Promise.resolve({ data: { ciphertext: "vault:v1:abc" } }) };
      },
    });
    const ref: VaultKeyRef = { type: "hc_vault", vaultAddress: "http://vault.test:8200", enginePath: "transit", keyName: "sops" };
    await registry.require(ref).wrap(ref, new Uint8Array(32));
    expect(seen[0]?.token).toBe(token);
    expect(redact(`token ${token}`)).toBe(`token ${REDACTED}`);
  });

  it("reads sops.aws-kms YAML credentials (session token optional) and registers the secret parts", () => {
    const creds = parseAwsCredentials("aws_access_key_id: AKIAEXAMPLE\naws_secret_access_key: CANARY-aws-secret-key-77\naws_session_token: CANARY-session-88\n", "Secret/ns/k");
    expect(creds).toEqual({ accessKeyId: "AKIAEXAMPLE", secretAccessKey: "CANARY-aws-secret-key-77", sessionToken: "CANARY-session-88" });
    expect(redact("CANARY-aws-secret-key-77 CANARY-session-88")).toBe(`${REDACTED} ${REDACTED}`);
    const registry = buildProviderRegistryFromSecret(keySecret({ [AWS_KMS_KEY]: "aws_access_key_id: AKIA2\naws_secret_access_key: s3cr3t-value-long\n" }));
    expect(registry.types()).toEqual(["kms"]);
  });

  it("registers no provider a Secret holds no credentials for, so none borrows the operator's own", () => {
    const registry = buildProviderRegistryFromSecret(keySecret({ unrelated: "x" }), { env: { VAULT_TOKEN: "operator-token", AWS_ACCESS_KEY_ID: "A", AWS_SECRET_ACCESS_KEY: "B" } });
    expect(registry.types()).toEqual([]);
    expect(thrown(() => registry.require({ type: "kms", arn: "arn:aws:kms:eu-west-1:111122223333:key/x" })).code).toBe("provider.not_configured");
  });

  it.each([
    { reason: "not YAML", text: "aws_access_key_id: [CANARY-broken-value\n", message: /not valid yaml/ },
    { reason: "no secret key", text: "aws_access_key_id: CANARY-only-id\n", message: /needs aws_access_key_id and aws_secret_access_key/ },
    { reason: "a list instead of a mapping", text: "- CANARY-in-a-list\n", message: /needs aws_access_key_id/ },
  ])("refuses a sops.aws-kms entry that is $reason with config.invalid naming the Secret, quoting no value", ({ text, message }) => {
    const err = thrown(() => buildProviderRegistryFromSecret(keySecret({ [AWS_KMS_KEY]: text })));
    expect(err.code).toBe("config.invalid");
    expect(err.subject).toBe("Secret/flux-system/sops-keys");
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("CANARY");
  });

  it("refuses a value larger than the limit", () => {
    const err = thrown(() => buildProviderRegistryFromSecret(keySecret({ "big.agekey": "A".repeat(70_000) })));
    expect(err.code).toBe("config.invalid");
    expect(err.message).toContain("'big.agekey' entry is larger than 65536 bytes");
  });
});
