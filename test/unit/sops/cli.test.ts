import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sigil, tempDir } from "./cli-support.js";
import { AGE_RECIPIENT, fixture } from "./helpers.js";

describe("sigil encrypt / decrypt", () => {
  it("decrypts a file sops wrote to exactly what sops -d prints", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "s.yaml"), fixture("types.sops.yaml"));
    const r = await sigil(["decrypt", "s.yaml"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toBe(fixture("types.sops-d.yaml").toString("latin1"));
  });

  it("encrypts with --age and decrypts the result back", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "p.json"), '{"password": "hunter2", "n": 5}\n');
    const enc = await sigil(["encrypt", "--age", AGE_RECIPIENT, "--output", "e.json", "p.json"], dir);
    expect(enc.code).toBe(0);
    expect(readFileSync(join(dir, "e.json"), "utf8")).not.toContain("hunter2");
    const dec = await sigil(["decrypt", "e.json"], dir);
    expect(dec.out).toBe('{\n\t"password": "hunter2",\n\t"n": 5\n}\n');
  });

  it("takes recipients from SOPS_AGE_RECIPIENTS and rules from .sops.yaml", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".sops.yaml"), "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n");
    mkdirSync(join(dir, "secrets"));
    writeFileSync(join(dir, "secrets", "s.yaml"), "kind: Secret\nstringData:\n    pw: x\n");
    const r = await sigil(["encrypt", "secrets/s.yaml"], dir, { SOPS_AGE_RECIPIENTS: AGE_RECIPIENT });
    expect(r.code).toBe(0);
    expect(r.out).toContain("kind: Secret\n");
    expect(r.out).toContain("encrypted_regex: ^(data|stringData)$");
  });

  it("uses the creation rule's keys when no key flag is given, and fails clearly when no rule matches", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.env$\n    age: ${AGE_RECIPIENT}\n`);
    writeFileSync(join(dir, "a.env"), "A=1\n");
    writeFileSync(join(dir, "b.yaml"), "a: 1\n");
    expect((await sigil(["encrypt", "a.env"], dir)).out).toContain(`sops_age__list_0__map_recipient=${AGE_RECIPIENT}`);
    const miss = await sigil(["encrypt", "b.yaml"], dir);
    expect(miss.code).toBe(5);
    expect(miss.err).toContain("no matching creation rules found for");
    expect(miss.err).toContain("b.yaml");
  });

  it("replaces the file in place on success and leaves it intact on failure", async () => {
    const dir = tempDir();
    const file = join(dir, "s.yaml");
    writeFileSync(file, "a: secret\n");
    expect((await sigil(["encrypt", "-i", "--age", AGE_RECIPIENT, "s.yaml"], dir)).code).toBe(0);
    const encrypted = readFileSync(file, "utf8");
    expect(encrypted).toContain("sops:");
    const bad = await sigil(["decrypt", "-i", "s.yaml"], dir, { SOPS_AGE_KEY_FILE: "/nonexistent" });
    expect(bad.code).toBe(128);
    expect(readFileSync(file, "utf8")).toBe(encrypted);
    expect((await sigil(["decrypt", "-i", "s.yaml"], dir)).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("a: secret\n");
  });

  it("prints one value with --extract", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "m.yaml"), fixture("multidoc.sops.yaml"));
    expect((await sigil(["decrypt", "--extract", '["stringData"]["password"]', "m.yaml"], dir)).out).toBe("hunter2");
  });

  it.each([
    { reason: "a plain file", args: ["decrypt", "p.yaml"], code: 1 },
    { reason: "an already encrypted file", args: ["encrypt", "--age", AGE_RECIPIENT, "e.yaml"], code: 203 },
    { reason: "a missing file", args: ["decrypt", "missing.yaml"], code: 2 },
    { reason: "no keys at all", args: ["encrypt", "p.yaml"], code: 111 },
  ])("exits with sops' code for $reason", async ({ args, code }) => {
    const dir = tempDir();
    writeFileSync(join(dir, "p.yaml"), "a: 1\n");
    writeFileSync(join(dir, "e.yaml"), fixture("types.sops.yaml"));
    const r = await sigil(args, dir);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(/^sigil: .*\[[a-z_.]+\]/);
  });

  it("exits 51 on a MAC mismatch", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "e.yaml"), fixture("comments.sops.yaml").toString().replace("visible", "vIsible"));
    expect((await sigil(["decrypt", "e.yaml"], dir)).code).toBe(51);
  });
});

describe("--decryption-order / SOPS_DECRYPTION_ORDER", () => {
  it.each([
    { reason: "a valid order from the flag", args: ["--decryption-order", "hc_vault, age"], env: {}, code: 0, err: "" },
    { reason: "a valid order from the environment", args: [], env: { SOPS_DECRYPTION_ORDER: "age,kms" }, code: 0, err: "" },
    { reason: "an unknown key type", args: ["--decryption-order", "age,gpg"], env: {}, code: 1, err: "unknown key type 'gpg'" },
    { reason: "an unknown key type from the environment", args: [], env: { SOPS_DECRYPTION_ORDER: "vault" }, code: 1, err: "unknown key type 'vault'" },
    { reason: "a key type named twice", args: ["--decryption-order", "age,kms,age"], env: {}, code: 1, err: "names a key type twice" },
  ])("decrypt and rotate check the order before decrypting ($reason)", async ({ args, env, code, err }) => {
    const dir = tempDir();
    writeFileSync(join(dir, "s.yaml"), fixture("types.sops.yaml"));
    for (const verb of ["decrypt", "rotate"]) {
      const r = await sigil([verb, ...args, "s.yaml"], dir, env);
      expect(r.code, `${verb}: ${r.err}`).toBe(code);
      expect(r.err).toContain(err);
      if (verb === "decrypt") expect(r.out).toBe(code === 0 ? fixture("types.sops-d.yaml").toString("latin1") : "");
    }
  });
});

describe("sigil updatekeys", () => {
  it("updates every sops file in a directory tree and reports each one", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "a", "b"), { recursive: true });
    writeFileSync(join(dir, "a", "one.yaml"), fixture("types.sops.yaml"));
    writeFileSync(join(dir, "a", "b", "two.json"), fixture("types.sops.json"));
    writeFileSync(join(dir, "a", "plain.yaml"), "x: 1\n");
    const other = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - age: ${AGE_RECIPIENT},${other}\n`);
    const r = await sigil(["updatekeys", "--yes", "a"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`a/one.yaml: updated (+age:${other})`);
    expect(r.out).toContain("a/b/two.json: updated");
    expect(r.out).toContain("2 updated, 0 unchanged");
    expect(readFileSync(join(dir, "a", "one.yaml"), "utf8")).toContain(other);
    const again = await sigil(["updatekeys", "-y", "a"], dir);
    expect(again.out).toContain("a/one.yaml: unchanged");
    const dec = await sigil(["decrypt", "a/one.yaml"], dir);
    expect(dec.out).toBe(fixture("types.sops-d.yaml").toString("latin1"));
  });

  it("asks before changing a file without --yes", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "one.yaml"), fixture("types.sops.yaml"));
    writeFileSync(join(dir, ".sops.yaml"), "creation_rules:\n  - age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n");
    const r = await sigil(["updatekeys", "one.yaml"], dir, {}, "n\n");
    expect(r.err).toContain("update this file? [y/N]");
    expect(r.out).toContain("one.yaml: declined");
    expect(readFileSync(join(dir, "one.yaml"))).toEqual(fixture("types.sops.yaml"));
  });

  it("refuses a threshold that is not a number before it looks at any file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "one.yaml"), fixture("types.sops.yaml"));
    writeFileSync(join(dir, ".sops.yaml"), "creation_rules:\n  - age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n");
    const r = await sigil(["updatekeys", "--yes", "--shamir-secret-sharing-threshold", "two", "one.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("sharing-threshold must be a number");
    expect(r.out).not.toContain("one.yaml");
    expect(readFileSync(join(dir, "one.yaml"))).toEqual(fixture("types.sops.yaml"));
  });
});
