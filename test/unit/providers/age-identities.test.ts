import { readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Encrypter, armor } from "age-encryption";
import { afterEach, describe, expect, it } from "vitest";
import { REDACTED, redact } from "../../../src/core/index.js";
import { describeAgeSearch, loadAgeIdentities } from "../../../src/providers/index.js";
import type { AgeIdentitySource } from "../../../src/providers/index.js";
import { tempDir } from "./helpers.js";

const FIXTURES = new URL("../../fixtures/keys/", import.meta.url);
const KEY1 = readFileSync(new URL("age-1.txt", FIXTURES), "utf8");
const KEY2 = readFileSync(new URL("age-2.txt", FIXTURES), "utf8");
const ID1 = KEY1.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!;
const ID2 = KEY2.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!;
const RCP1 = "age1uhltqrrk67gga0a9l6pj7c9h9fyqa30x5srgtm4r4s45jn4hv49qqs74yv";
const RCP2 = "age1rahkwnudxqfuun8jfyarm94hyzm262hff894fpwutrz4c34qhfyql2jrxw";

const deps = { readFile: (p: string) => readFile(p) };

async function protect(text: string, passphrase: string): Promise<Uint8Array> {
  const e = new Encrypter();
  e.setPassphrase(passphrase);
  e.setScryptWorkFactor(10); // fast for tests; real files use 18
  return e.encrypt(text);
}

describe("loading age identities", () => {
  let cleanup = (): void => undefined;
  afterEach(() => { cleanup(); });

  it("reads several whitespace-separated identities per line from SOPS_AGE_KEY and ignores # lines", async () => {
    const text = `# a comment\n\n  ${ID1}\t${ID2}  \n# ${RCP1}\n`;
    const set = await loadAgeIdentities([{ location: "SOPS_AGE_KEY", text }], deps);
    expect(set.identities.map((i) => i.recipient)).toEqual([RCP1, RCP2]);
    expect(set.searched).toEqual([{ location: "SOPS_AGE_KEY", found: 2, outcome: "2 identities", problem: false }]);
  });

  it("combines every source, reporting unset, missing and loaded locations in order", async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, "keys.txt"), KEY2);
    const sources: AgeIdentitySource[] = [
      { location: "SOPS_AGE_KEY" },
      { location: "SOPS_AGE_KEY_FILE=" + join(t.dir, "keys.txt"), path: join(t.dir, "keys.txt"), required: true },
      { location: join(t.dir, "default.txt"), path: join(t.dir, "default.txt") },
    ];
    const set = await loadAgeIdentities(sources, deps);
    expect(set.identities.map((i) => i.recipient)).toEqual([RCP2]);
    expect(describeAgeSearch(set.searched)).toBe(
      `'SOPS_AGE_KEY' (not set), 'SOPS_AGE_KEY_FILE=${join(t.dir, "keys.txt")}' (1 identity), '${join(t.dir, "default.txt")}' (not found)`,
    );
    expect(set.searched.some((s) => s.problem)).toBe(false);
  });

  it("reports an explicitly named key file that does not exist as a problem", async () => {
    const set = await loadAgeIdentities([{ location: "SOPS_AGE_KEY_FILE=/nope", path: "/nonexistent/keys.txt", required: true }], deps);
    expect(set.searched[0]).toMatchObject({ outcome: "not found", problem: true });
  });

  const broken = [
    { text: `${ID1}\nnot-a-key\n`, outcome: "line 2 is not an age identity (expected AGE-SECRET-KEY-1…)", reason: "a stray word" },
    { text: `AGE-PLUGIN-YUBIKEY-1QQQ\n`, outcome: "line 1 holds an age plugin identity, which is not supported", reason: "a plugin identity" },
    { text: `${ID1.slice(0, -1)}Q\n`, outcome: "line 1 holds a malformed age identity", reason: "a checksum broken by one character" },
  ];
  it.each(broken)("refuses the whole source for $reason, naming the line but not its content", async ({ text, outcome }) => {
    const set = await loadAgeIdentities([{ location: "SOPS_AGE_KEY", text }], deps);
    expect(set.identities).toEqual([]);
    expect(set.searched[0]).toMatchObject({ outcome, problem: true });
    expect(describeAgeSearch(set.searched)).not.toContain(ID1.slice(16, 40));
  });

  it("registers every identity with the redactor", async () => {
    await loadAgeIdentities([{ location: "SOPS_AGE_KEY", text: ID1 }], deps);
    expect(redact(`leaked ${ID1}`)).toBe(`leaked ${REDACTED}`);
  });

  describe("passphrase-protected key files", () => {
    it.each([
      { form: "binary", encode: (b: Uint8Array) => b },
      { form: "armored", encode: (b: Uint8Array) => Buffer.from(armor.encode(b)) },
    ])("opens a $form scrypt-protected key file with the injected passphrase", async ({ encode }) => {
      const t = tempDir();
      cleanup = t.cleanup;
      const path = join(t.dir, "keys.age");
      writeFileSync(path, encode(await protect(KEY1, "correct horse")));
      const asked: string[] = [];
      const set = await loadAgeIdentities([{ location: path, path, required: true }], {
        ...deps,
        passphrase: (loc) => {
          asked.push(loc);
          return Promise.resolve("correct horse");
        },
      });
      expect(asked).toEqual([path]);
      expect(set.identities.map((i) => i.recipient)).toEqual([RCP1]);
    });

    it("reports an incorrect passphrase without revealing it", async () => {
      const text = Buffer.from(armor.encode(await protect(KEY1, "correct horse"))).toString();
      const set = await loadAgeIdentities([{ location: "k", text }], { ...deps, passphrase: () => Promise.resolve("wrong battery") });
      expect(set.identities).toEqual([]);
      expect(set.searched[0]).toMatchObject({ outcome: "incorrect passphrase", problem: true });
      expect(describeAgeSearch(set.searched)).not.toContain("wrong battery");
    });

    it("reports a protected file as unusable when no passphrase source is configured", async () => {
      const text = armor.encode(await protect(KEY1, "pw"));
      const set = await loadAgeIdentities([{ location: "k", text }], deps);
      expect(set.searched[0]).toMatchObject({ outcome: "passphrase-protected, and no passphrase source is configured", problem: true });
    });

    it("says why when the passphrase prompt fails", async () => {
      const text = armor.encode(await protect(KEY1, "pw"));
      const set = await loadAgeIdentities([{ location: "k", text }], { ...deps, passphrase: () => Promise.reject(new Error("no terminal")) });
      expect(set.searched[0]?.outcome).toBe("passphrase-protected, and no passphrase was obtained: no terminal");
    });
  });
});
