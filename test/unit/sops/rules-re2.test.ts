import { describe, expect, it } from "vitest";
import { SigilError } from "../../../src/core/index.js";
import { decryptFile, encryptFile } from "../../../src/decrypt/index.js";
import type { RuleSet } from "../../../src/decrypt/index.js";
import { AGE_RECIPIENT, ageRegistry } from "./helpers.js";

const AGE = { type: "age", recipient: AGE_RECIPIENT } as const;

/** The top-level keys left in clear after encrypting `doc` with `rules`. */
async function clearKeys(doc: string, rules: RuleSet): Promise<string[]> {
  const out = Buffer.from(await encryptFile(Buffer.from(doc), { registry: ageRegistry(), keyGroups: [[AGE]], rules })).toString();
  return out
    .split("\n")
    .filter((l) => /^\w+: /.test(l) && !l.includes("ENC["))
    .map((l) => l.slice(0, l.indexOf(":")));
}

describe("selection-rule regexes are Go RE2 (one translation, shared with .sops.yaml)", () => {
  const doc = "KEY: 1\nkey: 2\npassword: 3\nPassword: 4\nname_z: 5\n";
  it.each([
    { reason: "a POSIX class, which a JavaScript RegExp would read as a plain bracket set", rules: { encrypted_regex: "^[[:upper:]]+$" }, clear: ["key", "password", "Password", "name_z"] },
    { reason: "(?i) at the start", rules: { encrypted_regex: "(?i)^pass" }, clear: ["KEY", "key", "name_z"] },
    { reason: "\\z, Go's end of text", rules: { unencrypted_regex: "_z\\z" }, clear: ["name_z"] },
    { reason: "a named group in Go's (?P<name>…) form", rules: { unencrypted_regex: "^(?P<k>key)$" }, clear: ["key"] },
    { reason: "\\pL, a Unicode class without braces", rules: { unencrypted_regex: "^\\pL+$" }, clear: ["KEY", "key", "password", "Password"] },
  ])("selects keys as Go would ($reason)", async ({ rules, clear }) => {
    expect(await clearKeys(doc, rules)).toEqual(clear);
  });

  it("applies a comment regex through the same translation", async () => {
    const text = "# KEEP me\na: 1\n# other\nb: 2\n";
    expect(await clearKeys(text, { unencrypted_comment_regex: "^\\s[[:upper:]]{4}\\b" })).toEqual(["a"]);
  });

  it.each([
    { reason: "look-ahead, which Go rejects", rules: { encrypted_regex: "^a(?=b)" }, field: "encrypted_regex" },
    { reason: "a back-reference, which Go rejects", rules: { unencrypted_regex: "(a)\\1" }, field: "unencrypted_regex" },
    { reason: "\\Z, which Go does not have", rules: { encrypted_comment_regex: "x\\Z" }, field: "encrypted_comment_regex" },
  ])("refuses a pattern Go would reject, naming the rule ($reason)", async ({ rules, field }) => {
    const err = await encryptFile(Buffer.from("a: 1\n"), { registry: ageRegistry(), keyGroups: [[AGE]], rules, path: "p.yaml" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SigilError);
    expect((err as SigilError).code).toBe("config.invalid");
    expect((err as SigilError).subject).toBe("p.yaml");
    expect((err as SigilError).message).toContain(field);
  });

  it("decrypts a file whose stored rule uses Go-only syntax", async () => {
    const registry = ageRegistry();
    const enc = await encryptFile(Buffer.from("KEY: 1\nkey: 2\n"), { registry, keyGroups: [[AGE]], rules: { encrypted_regex: "^[[:upper:]]+$" } });
    expect(Buffer.from((await decryptFile(enc, { registry })).plaintext).toString()).toBe("KEY: 1\nkey: 2\n");
  });
});
