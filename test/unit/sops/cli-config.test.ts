import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decryptFile, encryptFile } from "../../../src/decrypt/index.js";
import { sigil, tempDir } from "./cli-support.js";
import { AGE_RECIPIENT, ageRegistry, fixture } from "./helpers.js";

const OTHER = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const PGP = "85D77543B3D624B63CEA9E6DBC17301B491B3F21";
const GCP = "projects/p/locations/global/keyRings/r/cryptoKeys/k";

function withFiles(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

describe("sigil encrypt: .sops.yaml through the config module", () => {
  it("warns through the logger about a .sops.yml and does not use it", async () => {
    const dir = withFiles({ ".sops.yml": `creation_rules:\n  - age: ${OTHER}\n`, "p.yaml": "a: 1\n" });
    const noKeys = await sigil(["encrypt", "p.yaml"], dir);
    expect(noKeys.code).toBe(111);
    expect(noKeys.logs.join("\n")).toContain(`ignoring \\"${join(dir, ".sops.yml")}\\" when searching for config file`);
    const r = await sigil(["encrypt", "--age", AGE_RECIPIENT, "p.yaml"], dir);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(OTHER);
  });

  it.each([
    { reason: "--config after the command", args: ["encrypt", "--config", "../cfg/rules.yaml", "p.yaml"], env: {} },
    { reason: "--config before the command, as sops takes it", args: ["--config", "../cfg/rules.yaml", "encrypt", "p.yaml"], env: {} },
    { reason: "SOPS_CONFIG", args: ["encrypt", "p.yaml"], env: { SOPS_CONFIG: "../cfg/rules.yaml" } },
  ])("reads an explicit config from outside the working tree ($reason)", async ({ args, env }) => {
    const root = withFiles({ "cfg/rules.yaml": `creation_rules:\n  - path_regex: work/p\\.yaml$\n    age: ${AGE_RECIPIENT}\n`, "work/p.yaml": "a: 1\n" });
    const r = await sigil(args, join(root, "work"), env);
    expect(r.err).toBe("");
    expect(r.out).toContain(`recipient: ${AGE_RECIPIENT}`);
  });

  it("fails with input.not_found when an explicit config does not exist", async () => {
    const dir = withFiles({ "p.yaml": "a: 1\n" });
    const r = await sigil(["encrypt", "--config", "missing.yaml", "p.yaml"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain("missing.yaml");
    expect(r.err).toContain("[input.not_found]");
  });

  it("lets key flags win over the rule's keys, but still needs a matching rule", async () => {
    const dir = withFiles({ ".sops.yaml": `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${OTHER}\n`, "p.yaml": "a: 1\n", "p.json": "{}" });
    const r = await sigil(["encrypt", "--age", AGE_RECIPIENT, "p.yaml"], dir);
    expect(r.out).toContain(AGE_RECIPIENT);
    expect(r.out).not.toContain(OTHER);
    const miss = await sigil(["encrypt", "--age", AGE_RECIPIENT, "p.json"], dir);
    expect(miss.code).toBe(5);
    expect(miss.err).toContain("no matching creation rules found");
  });

  it("refuses a rule naming keys sigil cannot use, naming each of them, unless keys are given as flags", async () => {
    const dir = withFiles({ ".sops.yaml": `creation_rules:\n  - age: ${AGE_RECIPIENT}\n    pgp: ${PGP}\n    gcp_kms: ${GCP}\n`, "p.yaml": "a: 1\n" });
    const r = await sigil(["encrypt", "p.yaml"], dir);
    expect(r.code).toBe(111);
    expect(r.err).toContain(`pgp:${PGP}`);
    expect(r.err).toContain(`gcp_kms:${GCP}`);
    expect(r.err).toContain("[provider.not_configured]");
    expect(r.err).toContain(join(dir, ".sops.yaml"));
    expect((await sigil(["encrypt", "--age", AGE_RECIPIENT, "p.yaml"], dir)).code).toBe(0);
  });

  it("refuses a rule whose key is invalid, naming the field", async () => {
    const dir = withFiles({ ".sops.yaml": "creation_rules:\n  - age: age1notakey\n", "p.yaml": "a: 1\n" });
    const r = await sigil(["encrypt", "p.yaml"], dir);
    expect(r.code).toBe(5);
    expect(r.err).toContain("creation_rules[0].age");
  });

  it("lets a rule flag replace the same rule from the config, and refuses a different one", async () => {
    const dir = withFiles({ ".sops.yaml": `creation_rules:\n  - age: ${AGE_RECIPIENT}\n    encrypted_regex: ^a$\n`, "p.yaml": "a: 1\nb: 2\n" });
    expect((await sigil(["encrypt", "p.yaml"], dir)).out).toContain("encrypted_regex: ^a$");
    const replaced = await sigil(["encrypt", "--encrypted-regex", "^b$", "p.yaml"], dir);
    expect(replaced.out).toContain("encrypted_regex: ^b$");
    expect(replaced.out).toContain("a: 1\n");
    const two = await sigil(["encrypt", "--unencrypted-suffix", "_x", "p.yaml"], dir);
    expect(two.code).toBe(5);
    expect(two.err).toContain("encrypted_regex");
  });

  it("takes mac_only_encrypted from the rule", async () => {
    const dir = withFiles({ ".sops.yaml": `creation_rules:\n  - age: ${AGE_RECIPIENT}\n    mac_only_encrypted: true\n`, "p.yaml": "a: 1\n" });
    expect((await sigil(["encrypt", "p.yaml"], dir)).out).toContain("mac_only_encrypted: true");
  });

  it("logs the config's warnings, such as an unknown key", async () => {
    const dir = withFiles({ ".sops.yaml": `creation_rules:\n  - path_regexp: x\n    age: ${AGE_RECIPIENT}\n`, "p.yaml": "a: 1\n" });
    const r = await sigil(["encrypt", "p.yaml"], dir);
    expect(r.code).toBe(0);
    expect(r.logs.join("\n")).toContain("unknown key 'path_regexp'");
  });

  it("writes and reads with the stores' indentation from .sops.yaml, as sops does", async () => {
    const stores = "stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 3\n";
    const dir = withFiles({ ".sops.yaml": `${stores}creation_rules:\n  - age: ${AGE_RECIPIENT}\n`, "p.yaml": "a:\n    b: 1\n", "p.json": '{"a": {"b": 1}}' });
    const enc = await sigil(["encrypt", "p.yaml"], dir);
    expect(enc.out).toMatch(/^a:\n {2}b: ENC\[/);
    writeFileSync(join(dir, "e.yaml"), enc.out);
    expect((await sigil(["decrypt", "e.yaml"], dir)).out).toBe("a:\n  b: 1\n");
    writeFileSync(join(dir, "e.json"), (await sigil(["encrypt", "p.json"], dir)).out);
    expect((await sigil(["decrypt", "e.json"], dir)).out).toBe('{\n   "a": {\n      "b": 1\n   }\n}\n');
    expect((await sigil(["rotate", "e.yaml"], dir)).out).toMatch(/^a:\n {2}b: ENC\[/);
  });

  it("fails decrypt on a broken .sops.yaml, as sops does", async () => {
    const dir = withFiles({ ".sops.yaml": "creation_rules: [\n", "e.yaml": fixture("types.sops.yaml").toString("latin1") });
    const r = await sigil(["decrypt", "e.yaml"], dir);
    expect(r.code).toBe(5);
    expect(r.err).toContain("[config.invalid]");
  });
});

describe("shamir_threshold with a single key group", () => {
  it.each([
    { reason: "from the creation rule", config: `creation_rules:\n  - age: ${AGE_RECIPIENT}\n    shamir_threshold: 3\n`, args: [], want: 3 },
    { reason: "from the flag", config: `creation_rules:\n  - age: ${AGE_RECIPIENT}\n`, args: ["--shamir-secret-sharing-threshold", "2"], want: 2 },
    { reason: "from the rule even when the keys come from flags", config: `creation_rules:\n  - age: ${OTHER}\n    shamir_threshold: 3\n`, args: ["--age", AGE_RECIPIENT], want: 3 },
  ])("is written as given, as sops writes it, and the file still decrypts ($reason)", async ({ config, args, want }) => {
    const dir = withFiles({ ".sops.yaml": config, "p.yaml": "a: secret\n" });
    const enc = await sigil(["encrypt", ...args, "p.yaml"], dir);
    expect(enc.out).toContain(`    shamir_threshold: ${want}\n`);
    writeFileSync(join(dir, "e.yaml"), enc.out);
    expect((await sigil(["decrypt", "e.yaml"], dir)).out).toBe("a: secret\n");
  });

  it("is written by the library too, and not written when not asked for", async () => {
    const registry = ageRegistry();
    const age = { type: "age", recipient: AGE_RECIPIENT } as const;
    const three = Buffer.from(await encryptFile(Buffer.from("a: 1\n"), { registry, keyGroups: [[age]], shamirThreshold: 3 })).toString();
    expect(three).toContain("shamir_threshold: 3");
    expect(Buffer.from((await decryptFile(Buffer.from(three), { registry })).plaintext).toString()).toBe("a: 1\n");
    const none = Buffer.from(await encryptFile(Buffer.from("a: 1\n"), { registry, keyGroups: [[age]] })).toString();
    expect(none).not.toContain("shamir_threshold");
  });
});

describe("sigil updatekeys: .sops.yaml through the config module", () => {
  it("reports a file whose rule names keys sigil cannot use as failed, naming them, and leaves it alone", async () => {
    const dir = withFiles({ ".sops.yaml": `creation_rules:\n  - age: ${AGE_RECIPIENT}\n    pgp: ${PGP}\n` });
    writeFileSync(join(dir, "one.yaml"), fixture("types.sops.yaml"));
    const r = await sigil(["updatekeys", "-y", "one.yaml"], dir);
    expect(r.code).toBe(111);
    expect(r.out).toContain(`one.yaml: failed (creation_rules[0] names keys sigil cannot use: pgp:${PGP}`);
    expect(readFileSync(join(dir, "one.yaml"))).toEqual(fixture("types.sops.yaml"));
  });

  it("refuses a path_regex Go would reject before touching any file", async () => {
    const dir = withFiles({ ".sops.yaml": `creation_rules:\n  - path_regex: (?=x)\n    age: ${OTHER}\n` });
    writeFileSync(join(dir, "one.yaml"), fixture("types.sops.yaml"));
    const r = await sigil(["updatekeys", "-y", "."], dir);
    expect(r.code).toBe(5);
    expect(r.err).toContain("creation_rules[0].path_regex");
    expect(r.out).toBe("");
    expect(readFileSync(join(dir, "one.yaml"))).toEqual(fixture("types.sops.yaml"));
  });

  it("skips a file no rule matches and updates the rest", async () => {
    const dir = withFiles({ ".sops.yaml": `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${AGE_RECIPIENT},${OTHER}\n` });
    writeFileSync(join(dir, "one.yaml"), fixture("types.sops.yaml"));
    writeFileSync(join(dir, "two.json"), fixture("types.sops.json"));
    const r = await sigil(["updatekeys", "-y", "."], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain("one.yaml: updated");
    expect(r.out).toContain("two.json: skipped (no creation rule matches)");
  });
});
