import { describe, expect, it } from "vitest";
import { Logger, describeError, isSigilError, redact, registerSecret, serializeError } from "../../../src/core/index.js";
import { DataKeyCache, decryptFile, encryptFile, rotateFile, updateKeysFile } from "../../../src/decrypt/index.js";
import type { SopsFormat } from "../../../src/decrypt/index.js";
import { ProviderRegistry } from "../../../src/providers/index.js";
import type { KmsKeyRef, VaultKeyRef } from "../../../src/providers/index.js";
import { AGE_RECIPIENT, FakeProvider, KMS_ARN, VAULT_REF, ageRegistry, fixture } from "./helpers.js";
import { canary, expectNoLeak } from "../../support/canary.js";

const KMS: KmsKeyRef = { type: "kms", arn: KMS_ARN };
const AGE = { type: "age" as const, recipient: AGE_RECIPIENT };

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

function expectCode(err: unknown, code: string): void {
  expect(isSigilError(err) ? err.code : err).toBe(code);
}

const PLAIN_YAML = Buffer.from("db:\n    user: admin\n    password: s3cret-value\napi_key_unencrypted: visible\n");

describe("sops engine: files written by the real sops (fixtures)", () => {
  it.each([
    { reason: "YAML with every scalar type", file: "types", ext: "yaml" },
    { reason: "YAML comments at several levels", file: "comments", ext: "yaml" },
    { reason: "multi-document YAML", file: "multidoc", ext: "yaml" },
    { reason: "JSON with int64, floats and HTML characters", file: "types", ext: "json" },
    { reason: "dotenv with = and \\n in values", file: "values", ext: "env" },
    { reason: "INI with sections and comments", file: "values", ext: "ini" },
    { reason: "binary that is not UTF-8", file: "binary", ext: "bin" },
  ])("decrypts $file.$ext to exactly the bytes sops -d prints ($reason)", async ({ file, ext }) => {
    const out = await decryptFile(fixture(`${file}.sops.${ext}`), { registry: ageRegistry(), path: `${file}.sops.${ext}`, cache: new DataKeyCache() });
    expect(Buffer.from(out.plaintext).toString("latin1")).toBe(fixture(`${file}.sops-d.${ext}`).toString("latin1"));
  });
});

describe("sops engine: round trips", () => {
  it.each([
    { reason: "yaml", format: "yaml", input: "types.yaml", expected: "types.sops-d.yaml" },
    { reason: "json", format: "json", input: "types.json", expected: "types.sops-d.json" },
    { reason: "dotenv", format: "dotenv", input: "values.env", expected: "values.sops-d.env" },
    { reason: "ini", format: "ini", input: "values.ini", expected: "values.sops-d.ini" },
    { reason: "binary", format: "binary", input: "binary.bin", expected: "binary.sops-d.bin" },
  ])("encrypts and decrypts a $reason file to what sops -d gives for it", async ({ format, input, expected }) => {
    const registry = ageRegistry();
    const enc = await encryptFile(fixture(input), { registry, format: format as SopsFormat, keyGroups: [[AGE]] });
    const dec = await decryptFile(enc, { registry, format: format as SopsFormat, cache: new DataKeyCache() });
    expect(Buffer.from(dec.plaintext).equals(fixture(expected))).toBe(true);
  });

  it("writes the metadata exactly as sops does (sorted, quoted lastmodified, version 3.13.2)", async () => {
    const enc = await encryptFile(PLAIN_YAML, { registry: ageRegistry(), keyGroups: [[AGE]], now: () => new Date("2024-01-01T00:00:00.789Z") });
    const text = Buffer.from(enc).toString("utf8");
    expect(text).toMatch(/\nsops:\n {4}age:\n {8}- enc: \|\n {12}-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(text).toMatch(/ {10}recipient: age1[0-9a-z]+\n {4}lastmodified: "2024-01-01T00:00:00Z"\n {4}mac: ENC\[AES256_GCM,data:[^\]]+,type:str\]\n {4}unencrypted_suffix: _unencrypted\n {4}version: 3\.13\.2\n$/);
    expect(text).toContain("api_key_unencrypted: visible\n");
    expect(text).not.toContain("s3cret-value");
  });

  it("rotates to a new data key and the file still decrypts", async () => {
    const registry = ageRegistry();
    const enc = await encryptFile(PLAIN_YAML, { registry, keyGroups: [[AGE]] });
    const rotated = await rotateFile(enc, { registry, cache: new DataKeyCache() });
    expect(Buffer.from(rotated).toString()).not.toBe(Buffer.from(enc).toString());
    const dec = await decryptFile(rotated, { registry, cache: new DataKeyCache() });
    expect(Buffer.from(dec.plaintext).toString()).toBe(PLAIN_YAML.toString());
  });
});

describe("sops engine: updatekeys", () => {
  it("adds a key without touching values, lastmodified or the MAC, and reports unchanged files", async () => {
    const kms = new FakeProvider<KmsKeyRef>("kms");
    const reg = ageRegistry();
    reg.register(kms);
    const enc = await encryptFile(PLAIN_YAML, { registry: reg, keyGroups: [[AGE]] });
    const same = await updateKeysFile(enc, { registry: reg, keyGroups: [[AGE]], cache: new DataKeyCache() });
    expect(same.changed).toBe(false);
    const res = await updateKeysFile(enc, { registry: reg, keyGroups: [[AGE, KMS]], cache: new DataKeyCache() });
    expect(res.changed).toBe(true);
    expect(res.added).toEqual([`kms:${KMS_ARN}`]);
    const before = Buffer.from(enc).toString();
    const after = Buffer.from(res.output).toString();
    for (const line of ["password:", "lastmodified:", "mac:"]) expect(after).toContain(before.split("\n").find((l) => l.includes(line)) ?? "missing line");
    const onlyKms = new ProviderRegistry().register(kms);
    const dec = await decryptFile(res.output, { registry: onlyKms, cache: new DataKeyCache() });
    expect(Buffer.from(dec.plaintext).toString()).toBe(PLAIN_YAML.toString());
  });
});

describe("sops engine: selection rules", () => {
  const doc = Buffer.from("a: 1\nb_enc: 2\nnest:\n    c: 3\n# marker\nd: 4\ne: 5\n");
  it.each([
    { reason: "default: everything but *_unencrypted", rules: {}, clear: [] },
    { reason: "unencrypted_suffix", rules: { unencrypted_suffix: "_enc" }, clear: ["b_enc"] },
    { reason: "encrypted_suffix", rules: { encrypted_suffix: "_enc" }, clear: ["a", "c", "d", "e"] },
    { reason: "unencrypted_regex on an ancestor", rules: { unencrypted_regex: "^nest$" }, clear: ["c"] },
    { reason: "encrypted_regex", rules: { encrypted_regex: "^(a|d)$" }, clear: ["b_enc", "c", "e"] },
    { reason: "unencrypted_comment_regex", rules: { unencrypted_comment_regex: "marker" }, clear: ["d"] },
    { reason: "encrypted_comment_regex", rules: { encrypted_comment_regex: "marker" }, clear: ["a", "b_enc", "c", "e"] },
  ])("leaves exactly the right values in clear ($reason)", async ({ rules, clear }) => {
    const registry = ageRegistry();
    const enc = Buffer.from(await encryptFile(doc, { registry, keyGroups: [[AGE]], rules })).toString();
    for (const k of ["a", "b_enc", "c", "d", "e"]) {
      const line = new RegExp(`^ *${k}: (.*)$`, "m").exec(enc)?.[1] ?? "";
      expect(line.startsWith("ENC["), `${k} in ${line}`).toBe(!(clear as string[]).includes(k));
    }
    const dec = await decryptFile(Buffer.from(enc), { registry, cache: new DataKeyCache() });
    expect(Buffer.from(dec.plaintext).toString()).toContain("nest:\n    c: 3\n");
  });

  it("refuses two rules at once", async () => {
    const err = await caught(encryptFile(doc, { registry: ageRegistry(), keyGroups: [[AGE]], rules: { encrypted_regex: "a", unencrypted_suffix: "_x" } }));
    expectCode(err, "config.invalid");
  });

  it("computes the MAC over encrypted values only with mac_only_encrypted, and clear values may then change", async () => {
    const registry = ageRegistry();
    const enc = Buffer.from(await encryptFile(PLAIN_YAML, { registry, keyGroups: [[AGE]], macOnlyEncrypted: true })).toString();
    expect(enc).toContain("mac_only_encrypted: true");
    const edited = enc.replace("api_key_unencrypted: visible", "api_key_unencrypted: changed");
    const dec = await decryptFile(Buffer.from(edited), { registry, cache: new DataKeyCache() });
    expect(Buffer.from(dec.plaintext).toString()).toContain("changed");
  });
});

describe("sops engine: key groups and the data-key cache", () => {
  function registry(kms: FakeProvider<KmsKeyRef>, vault: FakeProvider<VaultKeyRef>): ProviderRegistry {
    const age = ageRegistry().get("age");
    const r = new ProviderRegistry().register(kms).register(vault);
    if (age !== undefined) r.register(age);
    return r;
  }

  it("decrypts a 2-of-3 mixed file with any two groups and fails with one", async () => {
    const kms = new FakeProvider<KmsKeyRef>("kms");
    const vault = new FakeProvider<VaultKeyRef>("hc_vault");
    const enc = await encryptFile(PLAIN_YAML, { registry: registry(kms, vault), keyGroups: [[AGE], [KMS], [VAULT_REF]], shamirThreshold: 2 });
    const text = Buffer.from(enc).toString();
    expect(text).toContain("key_groups:");
    expect(text).toContain("shamir_threshold: 2");
    const noAge = new ProviderRegistry().register(kms).register(vault);
    const dec = await decryptFile(enc, { registry: noAge, cache: new DataKeyCache() });
    expect(Buffer.from(dec.plaintext).toString()).toBe(PLAIN_YAML.toString());
    const onlyVault = new ProviderRegistry().register(new FakeProvider<KmsKeyRef>("kms", "not-mine")).register(vault);
    expectCode(await caught(decryptFile(enc, { registry: onlyVault, cache: new DataKeyCache() })), "decrypt.no_matching_key");
  });

  it("asks no provider again when the same file is decrypted twice in one process", async () => {
    const kms = new FakeProvider<KmsKeyRef>("kms");
    const reg = new ProviderRegistry().register(kms);
    const enc = await encryptFile(PLAIN_YAML, { registry: reg, keyGroups: [[KMS]] });
    const cache = new DataKeyCache();
    await decryptFile(enc, { registry: reg, cache });
    await decryptFile(enc, { registry: reg, cache });
    expect(kms.unwraps).toBe(1);
  });

  it("tries age before other key types, then the rest in stored order", async () => {
    const kms = new FakeProvider<KmsKeyRef>("kms");
    const enc = await encryptFile(PLAIN_YAML, { registry: registry(kms, new FakeProvider("hc_vault")), keyGroups: [[KMS, AGE]] });
    await decryptFile(enc, { registry: registry(kms, new FakeProvider("hc_vault")), cache: new DataKeyCache() });
    expect(kms.unwraps).toBe(0);
  });
});

describe("sops engine: bad input gets a clear error with a code and the file named", () => {
  const registry = ageRegistry();
  const encrypted = encryptFile(PLAIN_YAML, { registry, keyGroups: [[AGE]], path: "secret.yaml" });
  const dec = async (text: string, extra: object = {}): Promise<unknown> =>
    caught(decryptFile(Buffer.from(text), { registry, path: "secret.yaml", cache: new DataKeyCache(), ...extra }));

  it.each([
    { reason: "a value changed by one character", edit: (t: string) => t.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_m, a: string, c: string) => a + (c === "A" ? "B" : "A")), code: "decrypt.mac_mismatch" },
    { reason: "the MAC changed by one character", edit: (t: string) => t.replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_m, a: string, c: string) => a + (c === "A" ? "B" : "A")), code: "decrypt.mac_mismatch" },
    { reason: "a swapped lastmodified", edit: (t: string) => t.replace(/lastmodified: "[^"]+"/, 'lastmodified: "2020-02-02T02:02:02Z"'), code: "decrypt.mac_mismatch" },
    { reason: "a clear value changed (covered by the MAC)", edit: (t: string) => t.replace("visible", "visibl3"), code: "decrypt.mac_mismatch" },
    { reason: "a truncated ENC value", edit: (t: string) => t.replace(/(password: ENC\[AES256_GCM,data:[^,]+,iv:[^,]{10}).*/, "$1"), code: "decrypt.invalid_ciphertext" },
    { reason: "a garbled ENC value", edit: (t: string) => t.replace(/(password: ENC\[AES256_GCM,data:)[^,]+/, "$1!!!not-base64!!!"), code: "decrypt.invalid_ciphertext" },
    { reason: "a provider the metadata names that sigil does not know", edit: (t: string) => t.replace(/ {4}age:\n(?: {8}.*\n| {12}.*\n| {10}.*\n)+/, "    pgp:\n        - created_at: \"2024-01-01T00:00:00Z\"\n          enc: x\n          fp: ABCDEF\n"), code: "decrypt.unknown_provider" },
    { reason: "invalid YAML", edit: () => "a: [unclosed\n", code: "decrypt.parse_failed" },
    { reason: "a plain file", edit: () => "a: 1\n", code: "decrypt.not_encrypted" },
  ])("rejects $reason with $code", async ({ edit, code }) => {
    const err = await dec(edit(Buffer.from(await encrypted).toString()));
    expectCode(err, code);
    expect(isSigilError(err) && err.subject).toBe("secret.yaml");
  });

  it("names the file's recipients and where identities were looked for when no key matches", async () => {
    const enc = Buffer.from(await encrypted).toString();
    const err = await caught(decryptFile(Buffer.from(enc), { registry: ageRegistry({ SOPS_AGE_KEY_FILE: "/nonexistent/keys.txt" }), cache: new DataKeyCache() }));
    expectCode(err, "decrypt.no_matching_key");
    const msg = (err as Error).message;
    expect(msg).toContain(AGE_RECIPIENT);
    expect(msg).toContain("/nonexistent/keys.txt");
    expect(msg).toContain("SOPS_AGE_KEY");
  });

  it("lists KMS ARNs in the no-matching-key message", async () => {
    const reg = new ProviderRegistry().register(new FakeProvider<KmsKeyRef>("kms"));
    const enc = await encryptFile(PLAIN_YAML, { registry: reg, keyGroups: [[KMS]] });
    const err = await caught(decryptFile(enc, { registry: new ProviderRegistry().register(new FakeProvider<KmsKeyRef>("kms", "fail")), cache: new DataKeyCache() }));
    expectCode(err, "decrypt.no_matching_key");
    expect((err as Error).message).toContain(KMS_ARN);
  });

  it("refuses a file over the size limit (configurable)", async () => {
    expectCode(await dec("a: 1\n", { maxInputBytes: 3 }), "input.too_large");
    expectCode(await caught(encryptFile(Buffer.alloc(6 * 1024 * 1024, 0x61), { registry, keyGroups: [[AGE]], format: "binary" })), "input.too_large");
  });

  it("stops a YAML alias bomb quickly", async () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    const started = Date.now();
    expectCode(await caught(encryptFile(Buffer.from(bomb), { registry, keyGroups: [[AGE]] })), "decrypt.parse_failed");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses to encrypt an already-encrypted file", async () => {
    expectCode(await caught(encryptFile(await encrypted, { registry, keyGroups: [[AGE]] })), "decrypt.already_encrypted");
    expectCode(await caught(encryptFile(Buffer.from("sops_mac=x\n"), { registry, keyGroups: [[AGE]], format: "dotenv" })), "decrypt.already_encrypted");
  });

  it("skips the MAC check only when asked by name", async () => {
    const edited = Buffer.from(await encrypted).toString().replace("visible", "visibl3");
    const out = await decryptFile(Buffer.from(edited), { registry, cache: new DataKeyCache(), dangerouslySkipMacCheck: true });
    expect(Buffer.from(out.plaintext).toString()).toContain("visibl3");
  });

  it("refuses keys that are not strings, as sops does", async () => {
    expectCode(await caught(encryptFile(Buffer.from("1: one\n"), { registry, keyGroups: [[AGE]] })), "decrypt.parse_failed");
  });
});

describe("sops engine: no plaintext in any error message or log line (canary)", () => {
  it("keeps a known plaintext out of every error and log line", async () => {
    const token = canary("sops-token");
    const pw = canary("sops-pw");
    const lines: string[] = [];
    const logger = new Logger({ level: "debug", sink: (l) => lines.push(l) });
    const registry = ageRegistry();
    const plain = Buffer.from(`token: ${token.value}\nnested:\n    pw: ${pw.value}\n`);
    const enc = Buffer.from(await encryptFile(plain, { registry, keyGroups: [[AGE]], logger })).toString();
    expectNoLeak({ encrypted: enc }, token, pw);
    const variants = [
      enc.replace("nested:", "nestex:"),
      enc.replace(/(token: ENC\[AES256_GCM,data:)(.)/, (_m, a: string, c: string) => a + (c === "A" ? "B" : "A")),
      enc.replace(/lastmodified: "[^"]+"/, 'lastmodified: "2021-01-01T00:00:00Z"'),
      enc.replace(/(pw: ENC\[AES256_GCM,data:[^\]]+),type:str\]/, "$1,type:int]"),
      enc.replace(/(pw: ENC\[AES256_GCM,data:[^\]]+),type:str\]/, "$1,type:bool]"),
    ];
    for (const v of variants) {
      expect(v).not.toBe(enc);
      const err = await caught(decryptFile(Buffer.from(v), { registry, cache: new DataKeyCache(), logger, path: "canary.yaml" }));
      // The error itself, unredacted: it must not quote a value in any form.
      expectNoLeak({ error: `${describeError(err)}\n${JSON.stringify(serializeError(err))}` }, token, pw);
    }
    await decryptFile(Buffer.from(enc), { registry, cache: new DataKeyCache(), logger, dangerouslySkipMacCheck: true });
    logger.error("after decrypting", { value: token.value, bytes: Buffer.from(pw.value) });
    expectNoLeak({ log: lines.join("\n") }, token, pw);
    registerSecret("x");
    expectNoLeak({ redacted: redact(`leak ${token.value} ${Buffer.from(pw.value).toString("base64")}`) }, token, pw);
  });
});
