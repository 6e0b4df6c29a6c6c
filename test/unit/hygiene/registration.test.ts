/**
 * `registerSecret` coverage: every place that produces plaintext registers
 * it before anything could print it. Each test makes the plaintext appear
 * and then asks the process redactor whether it (and its base64 / hex form)
 * is now redacted. Long-lived key material must survive a flood of other
 * registrations (it is pinned); per-use values are re-registered on use.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Encrypter, armor, generateIdentity } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import { REDACTED, defaultRedactorOptions, describeError, redact, registerSecret } from "../../../src/core/index.js";
import { awsStaticCredentials, buildProviderRegistry, vaultTokenSource } from "../../../src/providers/index.js";
import {
  DataKeyCache,
  KeyRing,
  decryptFile,
  encryptFile,
  generateSealingKeyPair,
  rotateFile,
  updateKeysFile,
  privateKeysFromPem,
  sealSecret,
  unsealSealedSecret,
} from "../../../src/decrypt/index.js";
import { AgeProvider, KmsProvider, ProviderRegistry, VaultTransitProvider } from "../../../src/providers/index.js";
import type { GeneratedKeyPair } from "../../../src/decrypt/index.js";
import type { KeyProvider, KmsKeyRef, VaultKeyRef } from "../../../src/providers/index.js";
import { canary, fixturePath } from "./support.js";

const AGE_KEY_FILE = fixturePath("sops/age-key.txt");
const RECIPIENT = /age1[0-9a-z]+/.exec(readFileSync(AGE_KEY_FILE, "utf8"))?.[0] ?? "";
const KMS_REF: KmsKeyRef = { type: "kms", arn: "arn:aws:kms:eu-west-2:111122223333:key/hygiene" };
const VAULT_REF: VaultKeyRef = { type: "hc_vault", vaultAddress: "http://127.0.0.1:8200", enginePath: "transit", keyName: "hygiene" };

/** Key material registered by the tests below, checked after one flood at the end (the tests of a file run in order). */
const longLived: string[] = [];
/** Lines of multi-line key material (registered as text only). */
const longLivedLines: string[] = [];

/** True when `secret` (text or bytes) is redacted by the process redactor in each of its printable forms. */
function isRegistered(secret: string | Uint8Array): boolean {
  const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
  const forms = typeof secret === "string" ? [secret, bytes.toString("base64")] : [bytes.toString("base64"), bytes.toString("hex")];
  return forms.every((form) => redact(`<${form}>`) === `<${REDACTED}>`);
}

/** Register enough other values to push every unpinned form out of the process redactor. */
function flood(): void {
  const count = Math.ceil(defaultRedactorOptions().maxValues / 2) + 100;
  const run = randomBytes(4).toString("hex");
  for (let i = 0; i < count; i++) registerSecret(`flood-${run}-${i}`);
}

/**
 * A provider that "wraps" by base64 and does not register anything itself (as a third-party provider might not).
 * It records, at the moment it is called, whether what it was handed was already registered: a check made
 * afterwards could not tell "registered before the provider saw it" from "registered later".
 */
class PlainProvider implements KeyProvider<KmsKeyRef> {
  readonly type = "kms" as const;
  readonly seen: Uint8Array[] = [];
  /** For each `seen` entry: was it registered when the provider was called? */
  readonly registeredWhenSeen: boolean[] = [];
  constructor(readonly echoOnWrap = false) {}
  wrap(_key: KmsKeyRef, plaintext: Uint8Array): Promise<string> {
    this.seen.push(new Uint8Array(plaintext));
    this.registeredWhenSeen.push(isRegistered(plaintext));
    if (this.echoOnWrap) return Promise.reject(new Error(`upstream rejected the request body ${Buffer.from(plaintext).toString("base64")}`));
    return Promise.resolve(`plain:${Buffer.from(plaintext).toString("base64")}`);
  }
  unwrap(_key: KmsKeyRef, enc: string): Promise<Uint8Array | null> {
    return Promise.resolve(enc.startsWith("plain:") ? new Uint8Array(Buffer.from(enc.slice(6), "base64")) : null);
  }
  describe(): string {
    return "plain test key";
  }
}

function registryWith(provider: KeyProvider): ProviderRegistry {
  return new ProviderRegistry().register(provider);
}

describe("SOPS: leaves, data keys and Shamir shares are registered", () => {
  it("registers every decrypted leaf, of every type, before the MAC is even checked", async () => {
    const secret = canary();
    const pin = `9${randomBytes(6).readUIntBE(0, 6)}`;
    const plain = Buffer.from(`password: ${secret.value}\npin: ${pin}\nlist:\n    - item-${secret.cores[0] ?? ""}\n`);
    const registry = buildProviderRegistry({ SOPS_AGE_KEY_FILE: AGE_KEY_FILE, HOME: "/nonexistent" });
    const enc = Buffer.from(await encryptFile(plain, { registry, keyGroups: [[{ type: "age", recipient: RECIPIENT }]], format: "yaml" })).toString("utf8");
    const tampered = enc.replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_m, h: string, c: string) => `${h}${c === "A" ? "B" : "A"}`);
    await expect(decryptFile(Buffer.from(tampered), { registry, format: "yaml", cache: new DataKeyCache() })).rejects.toMatchObject({ code: "decrypt.mac_mismatch" });
    expect(isRegistered(secret.value)).toBe(true);
    expect(isRegistered(pin)).toBe(true);
    expect(isRegistered(`item-${secret.cores[0] ?? ""}`)).toBe(true);
  });

  it("registers the new data key (and each Shamir share) before a provider sees it on encrypt", async () => {
    const failing = new PlainProvider(true);
    const err: unknown = await encryptFile(Buffer.from("a: b\n"), { registry: registryWith(failing), keyGroups: [[KMS_REF]], format: "yaml" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const dataKey = failing.seen[0];
    expect(dataKey).toBeDefined();
    expect(failing.registeredWhenSeen).toEqual([true]);
    expect(redact(describeError(err))).not.toContain(Buffer.from(dataKey ?? []).toString("base64"));
    expect(isRegistered(dataKey ?? new Uint8Array())).toBe(true);
  });

  it("registers each Shamir share wrapped on encrypt", async () => {
    const failing = new PlainProvider(true);
    const groups = [[{ type: "age", recipient: RECIPIENT } as const], [KMS_REF]];
    const age = buildProviderRegistry({ HOME: "/nonexistent" }).get("age");
    if (age === undefined) throw new Error("no age provider");
    await expect(encryptFile(Buffer.from("a: b\n"), { registry: registryWith(failing).register(age), keyGroups: groups, shamirThreshold: 2, format: "yaml" })).rejects.toThrow();
    const share = failing.seen[0];
    expect(share?.length).toBeGreaterThan(32);
    expect(failing.registeredWhenSeen).toEqual([true]);
    expect(isRegistered(share ?? new Uint8Array())).toBe(true);
  });

  it("registers rotate's new data key before a provider sees it", async () => {
    const provider = new PlainProvider();
    const registry = registryWith(provider);
    const enc = await encryptFile(Buffer.from("a: b\n"), { registry, keyGroups: [[KMS_REF]], format: "yaml" });
    await rotateFile(enc, { registry, format: "yaml", cache: new DataKeyCache() });
    expect(provider.seen).toHaveLength(2);
    expect(Buffer.from(provider.seen[1] ?? []).equals(Buffer.from(provider.seen[0] ?? []))).toBe(false);
    expect(provider.registeredWhenSeen).toEqual([true, true]);
  });

  it("registers each Shamir share updatekeys wraps before a provider sees it", async () => {
    const provider = new PlainProvider();
    const age = buildProviderRegistry({ HOME: "/nonexistent" }).get("age");
    if (age === undefined) throw new Error("no age provider");
    const registry = registryWith(provider).register(age);
    const enc = await encryptFile(Buffer.from("a: b\n"), { registry, keyGroups: [[KMS_REF]], format: "yaml" });
    const groups = [[{ type: "age", recipient: RECIPIENT } as const], [KMS_REF]];
    await updateKeysFile(enc, { registry, keyGroups: groups, shamirThreshold: 2, format: "yaml", cache: new DataKeyCache() });
    expect(provider.seen).toHaveLength(2);
    expect(provider.seen[1]?.length).toBeGreaterThan(32);
    expect(provider.registeredWhenSeen).toEqual([true, true]);
  });

  it("registers what a provider unwraps (a share or data key), also when it comes from the cache", async () => {
    const provider = new PlainProvider();
    const registry = registryWith(provider);
    const cache = new DataKeyCache();
    const enc = await encryptFile(Buffer.from("a: b\n"), { registry, keyGroups: [[KMS_REF]], format: "yaml" });
    const dataKey = provider.seen[0] ?? new Uint8Array();
    await decryptFile(enc, { registry, format: "yaml", cache });
    expect(isRegistered(dataKey)).toBe(true);
    flood();
    expect(isRegistered(dataKey)).toBe(false);
    await decryptFile(enc, { registry, format: "yaml", cache });
    expect(isRegistered(dataKey)).toBe(true);
  });
});

describe("providers register what they unwrap and the credentials they hold", () => {
  it("age: the identities of a key file and the passphrase that opened it", async () => {
    const passphrase = `pass-${randomBytes(8).toString("hex")}`;
    // A fresh identity: the fixture key file's identity is registered by the tests above, so it would pass in file order whatever this code did.
    const identity = await generateIdentity();
    expect(isRegistered(identity)).toBe(false);
    const e = new Encrypter();
    e.setPassphrase(passphrase);
    e.setScryptWorkFactor(10);
    const file = armor.encode(await e.encrypt(`${identity}\n`));
    const provider = new AgeProvider({ sources: [{ location: "k", text: undefined, path: "/k" }], readFile: () => Promise.resolve(Buffer.from(file)), passphrase: () => Promise.resolve(passphrase) });
    expect((await provider.identities()).identities).toHaveLength(1);
    expect(isRegistered(identity)).toBe(true);
    expect(isRegistered(passphrase)).toBe(true);
    longLived.push(identity, passphrase);
  });

  it("age: SIGIL_AGE_PASSPHRASE is registered once used", async () => {
    const passphrase = `env-pass-${randomBytes(8).toString("hex")}`;
    const e = new Encrypter();
    e.setPassphrase(passphrase);
    e.setScryptWorkFactor(10);
    const identity = readFileSync(AGE_KEY_FILE, "utf8").split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-")) ?? "";
    const bytes = await e.encrypt(`${identity}\n`);
    const registry = buildProviderRegistry({ SOPS_AGE_KEY_FILE: "/k", SIGIL_AGE_PASSPHRASE: passphrase, HOME: "/nonexistent" }, { readFile: () => Promise.resolve(bytes) });
    const age = registry.get("age");
    if (!(age instanceof AgeProvider)) throw new Error("no age provider");
    await age.identities();
    expect(isRegistered(passphrase)).toBe(true);
  });

  it("Vault: the token and the unwrapped plaintext", async () => {
    const token = `hvs.${randomBytes(12).toString("hex")}`;
    const plaintext = randomBytes(32);
    const source = vaultTokenSource({ VAULT_TOKEN: token });
    const provider = new VaultTransitProvider({ token: source, clients: () => ({ write: () => Promise.resolve({ data: { plaintext: plaintext.toString("base64") } }) }) });
    const out = await provider.unwrap(VAULT_REF, "vault:v1:abc");
    expect(Buffer.from(out).equals(plaintext)).toBe(true);
    expect(isRegistered(plaintext)).toBe(true);
    expect(isRegistered(token)).toBe(true);
    longLived.push(token);
  });

  it("AWS: the secret access key and session token given at start-up", () => {
    const secretKey = `aws-secret-${randomBytes(10).toString("hex")}`;
    const session = `aws-session-${randomBytes(10).toString("hex")}`;
    expect(awsStaticCredentials({ AWS_ACCESS_KEY_ID: "AKIDHYGIENE", AWS_SECRET_ACCESS_KEY: secretKey, AWS_SESSION_TOKEN: session })).toBeDefined();
    expect(isRegistered(secretKey)).toBe(true);
    expect(isRegistered(session)).toBe(true);
    longLived.push(secretKey, session);
  });

  it("KMS: the unwrapped plaintext", async () => {
    const plaintext = randomBytes(32);
    const provider = new KmsProvider({ clients: () => ({ encrypt: () => Promise.resolve({}), decrypt: () => Promise.resolve({ Plaintext: plaintext }) }) });
    await provider.unwrap(KMS_REF, Buffer.from("blob").toString("base64"));
    expect(isRegistered(plaintext)).toBe(true);
  });
});

describe("Sealed Secrets: unsealed values, rendered templates and private keys are registered", () => {
  let generated: GeneratedKeyPair;
  beforeAll(async () => {
    generated = await generateSealingKeyPair({ keySize: 2048 });
  });

  it("registers each unsealed value and each rendered template, as text and base64", () => {
    const pair = generated;
    const ring = new KeyRing(privateKeysFromPem(pair.privateKeyPem, "generated"));
    const secret = canary();
    const ss = sealSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "a", namespace: "b" }, stringData: { password: secret.value } }, pair.certificate.publicKey);
    ss.spec.template = { ...ss.spec.template, data: { url: "postgres://app:{{ .password }}@db/app" } };
    const out = unsealSealedSecret(ss, ring);
    expect(out.data?.["url"]).toBeDefined();
    expect(isRegistered(secret.value)).toBe(true);
    expect(isRegistered(`postgres://app:${secret.value}@db/app`)).toBe(true);
  });

  it("registers a generated sealing key, and a loaded one as PEM, base64 and line by line", () => {
    expect(isRegistered(generated.privateKeyPem)).toBe(true);
    const fixture = readFileSync(fixturePath("sealed-secrets/key1.pem"), "utf8");
    privateKeysFromPem(fixture, "key1.pem");
    expect(isRegistered(fixture)).toBe(true);
    const body = fixture.split("\n").filter((l) => l !== "" && !l.startsWith("-----"));
    for (const line of body.slice(0, 3)) expect(redact(`>${line}<`)).toBe(`>${REDACTED}<`);
    longLived.push(generated.privateKeyPem, fixture);
    longLivedLines.push(...body);
  });
});

describe("long-lived key material is pinned", () => {
  it("survives more registrations than the redactor keeps: age identities and passphrase, the Vault token, AWS credentials, sealing keys", () => {
    expect(longLived.length).toBe(7);
    flood();
    for (const secret of longLived) expect(isRegistered(secret), secret.slice(0, 12)).toBe(true);
    for (const line of longLivedLines) expect(redact(`>${line}<`)).toBe(`>${REDACTED}<`);
  });
});
