/**
 * Secrets hygiene of the sops-compatible commands, driven in-process through
 * their failure paths with canary plaintexts: nothing may reach stderr, a
 * log line (debug level), the real process streams, or (where the command
 * does not print plaintext by design) stdout. Plus what reaches disk.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canary, channels, digitCanary, expectNoLeak, filesUnder, fixturePath, runSigil, tempDir } from "./support.js";
import type { Canary, Run } from "./support.js";

const AGE_KEY_FILE = fixturePath("sops/age-key.txt");
const OTHER_AGE_KEY_FILE = fixturePath("keys/age-2.txt");
const RECIPIENT = /age1[0-9a-z]+/.exec(readFileSync(AGE_KEY_FILE, "utf8"))?.[0] ?? "";
const ENV = { SOPS_AGE_KEY_FILE: AGE_KEY_FILE };

function sigil(args: readonly string[], cwd: string, env: Record<string, string> = {}, stdin?: string): Promise<Run> {
  return runSigil(args, { cwd, env: { ...ENV, ...env }, ...(stdin === undefined ? {} : { stdin }) });
}

/** A directory with `name` encrypted by sigil for the fixture age key; returns the encrypted text. */
async function encrypted(dir: string, name: string, plain: string): Promise<string> {
  writeFileSync(join(dir, name), plain);
  const run = await sigil(["encrypt", "-i", "--age", RECIPIENT, name], dir);
  expect(run.code, run.stderr).toBe(0);
  return readFileSync(join(dir, name), "utf8");
}

/** 20 digits between 2^63 and 2^64: go-yaml (and sops) refuse such an integer. */
function uint64Canary(): Canary {
  return digitCanary(20, "10");
}

/** Change the `type:` tag of the encrypted value on the line of `key`. */
function retype(text: string, key: string, type: string): string {
  return text.replace(new RegExp(`^(\\s*${key}: ENC\\[[^\\]]*type:)str\\]`, "m"), `$1${type}]`);
}

/** Flip one character of the base64 `data:` of the MAC. */
function tamperMac(text: string): string {
  return text.replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_m, head: string, ch: string) => `${head}${ch === "A" ? "B" : "A"}`);
}

describe("sigil decrypt failure paths keep the plaintext out of stderr, logs and stdout", () => {
  interface DecryptCase {
    readonly reason: string;
    /** Turn the encrypted file into the bad input. */
    readonly tamper: (encryptedText: string) => string;
    readonly args: readonly string[];
    readonly env?: Record<string, string>;
    /** The exit code, where sops fixes one (51 MAC mismatch, 128 no key, 5 bad config, 3 write failure). */
    readonly code?: number;
    readonly message: RegExp;
    /** Write a broken .sops.yaml next to the file. */
    readonly badConfig?: boolean;
  }
  const CASES: readonly DecryptCase[] = [
    { reason: "the wrong age identity", tamper: (t) => t, args: [], env: { SOPS_AGE_KEY_FILE: OTHER_AGE_KEY_FILE }, code: 128, message: /decrypt\.no_matching_key/ },
    { reason: "no identity at all", tamper: (t) => t, args: [], env: { SOPS_AGE_KEY_FILE: "/nonexistent/keys.txt" }, code: 128, message: /no_matching_key/ },
    { reason: "a MAC changed by one character", tamper: tamperMac, args: [], code: 51, message: /decrypt\.mac_mismatch/ },
    { reason: "a plain value changed (MAC mismatch after every value was decrypted)", tamper: (t) => t.replace("note_unencrypted: hello", "note_unencrypted: hullo"), args: [], code: 51, message: /mac_mismatch/ },
    { reason: "an encrypted value moved to another key", tamper: (t) => t.replace(/^password:/m, "moved:"), args: [], code: 51, message: /mac_mismatch/ },
    { reason: "a str value retagged int (the decrypted text is not an int)", tamper: (t) => retype(t, "password", "int"), args: [], message: /could not be read as that type/ },
    { reason: "a str value retagged float", tamper: (t) => retype(t, "password", "float"), args: [], message: /could not be read/ },
    { reason: "a str value retagged bool", tamper: (t) => retype(t, "password", "bool"), args: [], message: /could not be read/ },
    { reason: "a str value retagged time", tamper: (t) => retype(t, "password", "time"), args: [], message: /could not be read/ },
    { reason: "a str value retagged with an unknown type", tamper: (t) => retype(t, "password", "canary"), args: [], message: /could not be read/ },
    { reason: "--extract of a missing path", tamper: (t) => t, args: ["--extract", '["nope"]'], message: /component \['nope'\] not found/ },
    { reason: "--extract indexing into a string", tamper: (t) => t, args: ["--extract", '["password"][0]'], message: /not a list/ },
    { reason: "--extract through a string by key", tamper: (t) => t, args: ["--extract", '["password"]["x"]'], message: /not found/ },
    { reason: "nested values written as dotenv", tamper: (t) => t, args: ["--output-type", "dotenv"], message: /nested values cannot be written/ },
    { reason: "a broken .sops.yaml next to the file", tamper: (t) => t, args: [], code: 5, message: /sops\.yaml: invalid yaml.*config\.invalid/, badConfig: true },
    { reason: "an unwritable --output", tamper: (t) => t, args: ["--output", "missing-dir/out.yaml"], code: 3, message: /output\.write_failed/ },
  ];

  it.each(CASES)("$reason", async (c) => {
    const dir = tempDir();
    const secret = canary("canary-pw");
    const nested = canary("canary-nested");
    const plain = `password: ${secret.value}\nnote_unencrypted: hello\nnested:\n    deep: ${nested.value}\n`;
    const enc = await encrypted(dir, "s.yaml", plain);
    writeFileSync(join(dir, "s.yaml"), c.tamper(enc));
    if (c.badConfig === true) writeFileSync(join(dir, ".sops.yaml"), "creation_rules:\n  - path_regex: [unclosed\n    age: nope\n  bad indentation: [\n");
    const run = await sigil(["decrypt", ...c.args, "s.yaml"], dir, c.env ?? {});
    if (c.code === undefined) expect(run.code, run.stderr).not.toBe(0);
    else expect(run.code, run.stderr).toBe(c.code);
    expect(run.stderr).toMatch(c.message);
    expect(run.stdout).toBe("");
    expectNoLeak(channels(run), secret, nested);
    const files = filesUnder(dir);
    expect(Object.keys(files).filter((f) => f !== ".sops.yaml")).toEqual(["s.yaml"]);
  });

  it("--ignore-mac prints the plaintext it was asked for, but its warning log line carries none", async () => {
    const dir = tempDir();
    const secret = canary();
    writeFileSync(join(dir, "s.yaml"), tamperMac(await encrypted(dir, "s.yaml", `password: ${secret.value}\n`)));
    const run = await sigil(["decrypt", "--ignore-mac", "s.yaml"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`password: ${secret.value}\n`);
    expect(run.logs).toMatch(/MAC was not checked/);
    expectNoLeak(channels(run, false), secret);
  });

  it("a failed decrypt -i leaves the encrypted file as it was and no temporary file behind", async () => {
    const dir = tempDir();
    const secret = canary();
    const enc = tamperMac(await encrypted(dir, "s.yaml", `password: ${secret.value}\n`));
    writeFileSync(join(dir, "s.yaml"), enc);
    const run = await sigil(["decrypt", "-i", "s.yaml"], dir);
    expect(run.code).toBe(51);
    expect(filesUnder(dir)).toEqual({ "s.yaml": enc });
    expectNoLeak(channels(run), secret);
  });

  it("rotate with the wrong identity prints no plaintext and leaves the file alone", async () => {
    const dir = tempDir();
    const secret = canary();
    const enc = await encrypted(dir, "s.yaml", `password: ${secret.value}\n`);
    const run = await sigil(["rotate", "-i", "s.yaml"], dir, { SOPS_AGE_KEY_FILE: OTHER_AGE_KEY_FILE });
    expect(run.code).not.toBe(0);
    expect(filesUnder(dir)).toEqual({ "s.yaml": enc });
    expectNoLeak(channels(run), secret);
  });
});

describe("sigil updatekeys prints neither values nor the data key", () => {
  const DATA_KEY_FORMS = [/[0-9a-f]{64}/, /[A-Za-z0-9+/]{43}=/];

  it.each([
    { reason: "a new Vault key that cannot be reached", rule: "    hc_vault_transit_uri: http://127.0.0.1:1/v1/transit/keys/k\n" },
    { reason: "a new KMS key whose endpoint cannot be reached", rule: "    kms: arn:aws:kms:eu-west-2:111122223333:key/none\n" },
  ])("$reason", async ({ rule }) => {
    const dir = tempDir();
    const secret = canary();
    const enc = await encrypted(dir, "s.yaml", `password: ${secret.value}\n`);
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - age: ${RECIPIENT}\n${rule}`);
    const run = await sigil(["updatekeys", "-y", "s.yaml"], dir, { VAULT_TOKEN: "hygiene-token", AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:1", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y", AWS_MAX_ATTEMPTS: "1" });
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`, run.stderr).toMatch(/vault|kms/);
    expectNoLeak(channels(run), secret);
    for (const form of DATA_KEY_FORMS) for (const [where, text] of Object.entries(channels(run))) expect(form.test(text), `${where}: ${text}`).toBe(false);
    expect(readFileSync(join(dir, "s.yaml"), "utf8")).toBe(enc);
  });
});

describe("sigil encrypt failure paths keep the plaintext input out of errors", () => {
  interface EncryptCase {
    readonly reason: string;
    readonly file: string;
    readonly content: (c: Canary) => string;
    readonly canary: () => Canary;
    readonly args?: readonly string[];
  }
  const CASES: readonly EncryptCase[] = [
    { reason: "a value tagged !!timestamp that is not one", file: "p.yaml", canary, content: (c) => `when: !!timestamp ${c.value}\n` },
    { reason: "a value tagged !!int that is not one", file: "p.yaml", canary, content: (c) => `pin: !!int ${c.value}\n` },
    { reason: "a value tagged !!float that is not one", file: "p.yaml", canary, content: (c) => `pin: !!float ${c.value}\n` },
    { reason: "a value tagged !!bool that is not one", file: "p.yaml", canary, content: (c) => `flag: !!bool ${c.value}\n` },
    { reason: "a value tagged !!null that is not null", file: "p.yaml", canary, content: (c) => `nothing: !!null ${c.value}\n` },
    { reason: "a YAML integer between 2^63 and 2^64 (a long PIN)", file: "p.yaml", canary: uint64Canary, content: (c) => `pin: ${c.value}\n` },
    { reason: "an unterminated double-quoted YAML string", file: "p.yaml", canary, content: (c) => `password: "${c.value}\n` },
    { reason: "an invalid escape inside a YAML string", file: "p.yaml", canary, content: (c) => `password: "${c.value}\\q"\n` },
    { reason: "a YAML value followed by junk", file: "p.yaml", canary, content: (c) => `password: "${c.value}" ${c.value}x\n` },
    { reason: "a duplicate YAML key", file: "p.yaml", canary, content: (c) => `password: ${c.value}\npassword: ${c.value}2\n` },
    { reason: "invalid JSON after a secret", file: "p.json", canary, content: (c) => `{"password": "${c.value}" "x": 1}\n` },
    { reason: "an unquoted JSON secret", file: "p.json", canary, content: (c) => `{"password": ${c.value}}\n` },
    { reason: "a control character inside a JSON string", file: "p.json", canary, content: (c) => `{"password": "${c.value}\u0001"}\n` },
    { reason: "a dotenv line without '='", file: "p.env", canary, content: (c) => `PASSWORD=${c.value}\n${c.value}\n` },
    { reason: "a Vault transit server that cannot be reached", file: "p.yaml", canary, content: (c) => `password: ${c.value}\n`, args: ["--hc-vault-transit", "http://127.0.0.1:1/v1/transit/keys/k"] },
    { reason: "no key given at all", file: "p.yaml", canary, content: (c) => `password: ${c.value}\n`, args: [] },
  ];

  it.each(CASES)("$reason", async (c) => {
    const dir = tempDir();
    const secret = c.canary();
    writeFileSync(join(dir, c.file), c.content(secret));
    const run = await sigil(["encrypt", ...(c.args ?? ["--age", RECIPIENT]), c.file], dir, { VAULT_TOKEN: "hygiene-test-token" });
    expect(run.code, run.stdout).not.toBe(0);
    expect(run.stderr).toMatch(/^sigil: .*\[[a-z_.]+\]/);
    expectNoLeak(channels(run), secret);
  });
});
