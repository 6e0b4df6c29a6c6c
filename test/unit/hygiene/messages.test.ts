/**
 * Issue 7, class 10: messages that said the wrong thing, and an INI input
 * that lost a value without a word.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sigil as sealedCli } from "../sealed-secrets/cli-support.js";
import { fixture, fixturePath } from "../sealed-secrets/support.js";
import { sigil as sopsCli, tempDir } from "../sops/cli-support.js";
import { AGE_RECIPIENT } from "../sops/helpers.js";

describe("messages that name the real problem", () => {
  it("the stdin limit message does not claim a size it never measured", async () => {
    const r = await sopsCli(["decrypt", "--max-input-size", "1KiB"], tempDir(), {}, "x".repeat(5000));
    expect(r.err).toBe("sigil: stdin: the input is more than the limit of 1024 bytes (raise it with --max-input-size) [input.too_large]\n");
  });

  it("a changed lastmodified is called the lastmodified timestamp, not 'the value at ...'", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "p.yaml"), "a: mac-test-value-1\n");
    expect((await sopsCli(["encrypt", "-i", "--age", AGE_RECIPIENT, "p.yaml"], dir)).code).toBe(0);
    const text = readFileSync(join(dir, "p.yaml"), "utf8");
    writeFileSync(join(dir, "p.yaml"), text.replace(/lastmodified: "(\d{4})/, (_m, y: string) => `lastmodified: "${Number(y) + 1}`));
    const r = await sopsCli(["decrypt", "p.yaml"], dir);
    expect(r.err).toContain("the lastmodified timestamp was changed");
    expect(r.err).not.toContain("the value at");
    expect(r.err).toMatch(/\[decrypt\.mac_mismatch\]\n$/);
  });

  it("unseal --private-key with a certificate says it is a certificate, not a private key", async () => {
    const r = await sealedCli(["unseal", "--private-key", fixturePath("key1.crt")], { stdin: fixture("sealed-strict.yaml") });
    expect(r.stderr).toContain("key1.crt: the file holds a certificate, the public half: unsealing needs the private key (tls.key) or a key Secret backup [input.invalid]\n");
  });
});

describe("an INI key defined twice in a section", () => {
  it("is refused with a code and the line (sops keeps the last value and drops the first silently)", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "d.ini"), "[s]\nk = first\nother = 1\nk = second\n");
    const r = await sopsCli(["encrypt", "--age", AGE_RECIPIENT, "d.ini"], dir);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("d.ini");
    expect(r.err).toContain("line 4");
    expect(r.err).toMatch(/\[decrypt\.parse_failed\]\n$/);
    expect(r.err).not.toContain("first");
    expect(r.err).not.toContain("second");
  });

  it("is still accepted in different sections", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "d.ini"), "[a]\nk = 1\n[b]\nk = 2\n");
    expect((await sopsCli(["encrypt", "--age", AGE_RECIPIENT, "d.ini"], dir)).code).toBe(0);
  });

  it("parses and writes a section of 200,000 keys in linear time", async () => {
    const dir = tempDir();
    const doc = `[s]\n${Array.from({ length: 200_000 }, (_, i) => `k${i} = v\n`).join("")}`;
    writeFileSync(join(dir, "big.ini"), doc);
    const enc = await sopsCli(["encrypt", "--age", AGE_RECIPIENT, "--unencrypted-regex", ".", "--output", "e.ini", "big.ini"], dir);
    expect(enc.code, enc.err).toBe(0);
  }, 20_000);
});
