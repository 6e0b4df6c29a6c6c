/**
 * Issue 7, class 2: no parse error quotes input text that could be a value.
 * Table-driven over malformed inputs for every parser the CLI reaches: the
 * sops YAML, JSON, dotenv and INI readers (encrypt and decrypt), `.sops.yaml`
 * (the `yaml` package), Secret manifests (seal, YAML and JSON), SealedSecret
 * manifests and templates (unseal). Each input carries a canary, raw or
 * base64-encoded, where a value would be; each run must fail with a code,
 * name the file, and print neither form of the canary (nor its hex or
 * JSON-escaped forms) anywhere.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sigil as sopsCli, tempDir } from "../sops/cli-support.js";
import { AGE_RECIPIENT } from "../sops/helpers.js";
import { sigil as sealedCli } from "../sealed-secrets/cli-support.js";
import { fixtureKey, fixturePath } from "../sealed-secrets/support.js";
import { formatObject, sealSecret, toSecret } from "../../../src/decrypt/sealed-secrets/index.js";

/**
 * A fresh canary per case: the process-wide redactor (src/core/redact.ts)
 * masks values registered by earlier tests, which would hide an echo.
 */
let serial = 0;
function canary(): string {
  serial += 1;
  return `CANARY${serial}q${Math.random().toString(36).slice(2, 8)}hunter`;
}

/** The case's document with `$` replaced by a new canary, raw or base64-encoded. */
function withCanary<T extends { reason: string }>(text: string, base: T, encoded: boolean): T & { text: string; raw: string } {
  const raw = canary();
  const put = encoded ? Buffer.from(raw).toString("base64") : raw;
  return { ...base, text: text.replaceAll("$", put), raw, reason: `${base.reason} (${encoded ? "base64" : "raw"})` };
}

/** Every form in which the canary could travel into a message. */
function forms(canary: string): string[] {
  return [canary, Buffer.from(canary).toString("base64"), Buffer.from(canary).toString("hex"), JSON.stringify(canary).slice(1, -1), canary.slice(0, 8)];
}

function expectClean(text: string, raw: string, reason: string): void {
  expect(text, reason).toMatch(/\[[a-z_]+\.[a-z_]+\]\n$/);
  expect(text, reason).not.toContain("[REDACTED]");
  for (const f of [...forms(raw), ...forms(Buffer.from(raw).toString("base64"))]) expect(text, `${reason}: echoed ${f}`).not.toContain(f);
}

/** Malformed documents of one format; `$` is replaced by the canary (raw and base64). */
const MALFORMED: Readonly<Record<"yaml" | "json" | "env" | "ini", readonly { doc: string; reason: string }[]>> = {
  yaml: [
    { doc: "password: *$\n", reason: "an unquoted value read as an alias" },
    { doc: "a: &x 1\npassword: *$x\n", reason: "an alias to an unknown anchor" },
    { doc: 'password: "$\n', reason: "an unterminated double-quoted string" },
    { doc: "password: '$\n", reason: "an unterminated single-quoted string" },
    { doc: 'password: "\\q$"\n', reason: "an invalid escape" },
    { doc: "password: $: x\n", reason: "a colon inside a plain value" },
    { doc: "password: |$\n  x\n", reason: "text after a block scalar indicator" },
    { doc: "password: [$\n", reason: "an unterminated flow sequence" },
    { doc: "password: {$\n", reason: "an unterminated flow mapping" },
    { doc: "password: {a: $ b}\n", reason: "a broken flow mapping" },
    { doc: "password: !!int $\n", reason: "a value that does not fit its tag" },
    { doc: "password: !$ x\n", reason: "an unknown tag" },
    { doc: "password: x\n $: y\n", reason: "a misindented entry" },
    { doc: "password:\n  - $\n  k: v\n", reason: "a sequence and a mapping mixed" },
    { doc: "password: $\n\tb: 1\n", reason: "a tab as indentation" },
    { doc: "- $\n", reason: "a top-level sequence" },
    { doc: "$\n", reason: "a top-level scalar" },
    { doc: "password: $\n...\nx\n", reason: "text after the document end" },
    { doc: "password: {$, $}\n", reason: "a flow mapping with a key twice" },
    { doc: "$: 1\n$: 2\n", reason: "a block mapping with a key twice" },
  ],
  json: [
    { doc: '{"password": $}', reason: "an unquoted value" },
    { doc: '{"password": "$}', reason: "an unterminated string" },
    { doc: '{"password": "$" "x"}', reason: "a missing comma" },
    { doc: '{"password": "\\q$"}', reason: "an invalid escape" },
    { doc: '{"password": "\\u12$"}', reason: "a short unicode escape" },
    { doc: '{"password": 1e999}', reason: "a number out of range" },
    { doc: '{"password": 12$}', reason: "text after a number" },
    { doc: '{$: 1}', reason: "an unquoted key" },
    { doc: '["$"]', reason: "a top-level array" },
    { doc: '"$"', reason: "a top-level string" },
    { doc: '{"password": "$"} $', reason: "text after the value" },
    { doc: '{"password": "$\u0001"}', reason: "a control character in a string" },
  ],
  env: [
    { doc: "$\n", reason: "a line without =" },
    { doc: "A=1\n$\n", reason: "a later line without =" },
    { doc: "export $\n", reason: "an export without =" },
  ],
  ini: [
    { doc: "[$\n", reason: "an unclosed section header" },
    { doc: "[s]\n$\n", reason: "a line without = or :" },
    { doc: '[s]\n"$ = x\n', reason: "an unclosed quoted key" },
    { doc: '[s]\nk = "$\n', reason: "an unclosed quoted value" },
    { doc: "[s]\n= $\n", reason: "an empty key" },
    { doc: "$ = x\n", reason: "a key before any section" },
  ],
};

/** Each case twice: the canary raw, then base64-encoded. */
function both<T extends { doc: string; reason: string }>(cases: readonly T[]): (T & { text: string; raw: string })[] {
  return cases.flatMap((c) => [withCanary(c.doc, c, false), withCanary(c.doc, c, true)]);
}

const CASES = Object.entries(MALFORMED).flatMap(([ext, docs]) => both(docs.map((d) => ({ ...d, ext }))));

describe("sops stores: parse errors never quote the input", () => {
  it.each(CASES)("encrypt of .$ext: $reason", async ({ ext, text, raw, reason }) => {
    const dir = tempDir();
    writeFileSync(join(dir, `p.${ext}`), text);
    const r = await sopsCli(["encrypt", "--age", AGE_RECIPIENT, `p.${ext}`], dir);
    if (r.code === 0) return; // some inputs are valid in one store (a dotenv `export` line, an INI default section)
    expectClean(r.err, raw, reason);
    expect(r.err, reason).toContain(`p.${ext}`);
    expect(r.logs.join("\n"), reason).not.toContain(raw);
  });

  it.each(CASES)("decrypt of .$ext: $reason", async ({ ext, text, raw, reason }) => {
    const dir = tempDir();
    writeFileSync(join(dir, `e.${ext}`), text);
    const r = await sopsCli(["decrypt", `e.${ext}`], dir);
    expect(r.code, reason).not.toBe(0);
    expectClean(r.err, raw, reason);
    expect(r.err, reason).toContain(`e.${ext}`);
  });

  it("names the line (and column where there is one) in a YAML, JSON, dotenv and INI parse error", async () => {
    const dir = tempDir();
    const raw = canary();
    const docs = { "a.yaml": `a: 1\npassword: *${raw}\n`, "a.json": `{\n"a": 1,\n"p": ${raw}}`, "a.env": `A=1\n${raw}\n`, "a.ini": `[s]\na=1\n${raw}\n` };
    for (const [name, doc] of Object.entries(docs)) {
      writeFileSync(join(dir, name), doc);
      const r = await sopsCli(["encrypt", "--age", AGE_RECIPIENT, name], dir);
      expect(r.err, name).toMatch(/line [23]\b/);
      expectClean(r.err, raw, name);
    }
  });

  it("does not quote a JSON number it refuses (a number can be a secret value too)", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "n.json"), '{"pin": 4242424242e99999}');
    const r = await sopsCli(["encrypt", "--age", AGE_RECIPIENT, "n.json"], dir);
    expect(r.err).toContain("line 1, column");
    expect(r.err).toContain("[decrypt.parse_failed]");
    expect(r.err).not.toContain("4242");
  });
});

describe(".sops.yaml: parse errors never quote the input", () => {
  const configs = both([
    { doc: "creation_rules:\n  - age: *$\n", reason: "an alias to an unknown anchor" },
    { doc: 'creation_rules:\n  - age: "$\n', reason: "an unterminated string" },
    { doc: "creation_rules:\n  - age: [$\n", reason: "an unterminated flow sequence" },
    { doc: "creation_rules:\n  - age: $: x\n", reason: "a colon inside a plain value" },
    { doc: "creation_rules:\n  - age: x\n   $: y\n", reason: "a misindented entry" },
    { doc: 'creation_rules:\n  - age: "\\q$"\n', reason: "an invalid escape" },
    { doc: "creation_rules:\n  - age: |$\n      x\n", reason: "text after a block scalar indicator" },
  ]);
  it.each(configs)("encrypt with a .sops.yaml holding $reason", async ({ text, raw, reason }) => {
    const dir = tempDir();
    writeFileSync(join(dir, ".sops.yaml"), text);
    writeFileSync(join(dir, "p.yaml"), "a: 1\n");
    const r = await sopsCli(["encrypt", "p.yaml"], dir);
    expect(r.code, reason).not.toBe(0);
    expectClean(r.err, raw, reason);
    expect(r.err, reason).toContain(".sops.yaml");
    expect(r.err, reason).toMatch(/line \d/);
  });
});

describe("seal: Secret manifest parse errors never quote the input", () => {
  const manifests = both([
    { doc: "kind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  password: *$\n", reason: "an unquoted value read as an alias" },
    { doc: 'kind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  password: "$\n', reason: "an unterminated string" },
    { doc: "kind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  password: $: x\n", reason: "a colon inside a plain value" },
    { doc: "kind: Secret\nmetadata: {name: s, namespace: n}\ndata:\n  password: [$\n", reason: "an unterminated flow sequence" },
    { doc: "kind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  password: |$\n    x\n", reason: "text after a block scalar indicator" },
    { doc: "kind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  password: x\n   $: y\n", reason: "a misindented entry" },
    { doc: 'kind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  password: "\\q$"\n', reason: "an invalid escape" },
    { doc: '{"kind": "Secret", "metadata": {"name": "s", "namespace": "n"}, "stringData": {"password": $}}', reason: "json: an unquoted value" },
    { doc: '{"kind": "Secret", "metadata": {"name": "s", "namespace": "n"}, "stringData": {"password": "$}}', reason: "json: an unterminated string" },
    { doc: '{"kind": "Secret", "stringData": {"password": "$" "x"}}', reason: "json: a missing comma" },
  ]);
  it.each(manifests)("seal -f secret: $reason", async ({ text, raw, reason }) => {
    const dir = tempDir();
    const file = join(dir, "secret.yaml");
    writeFileSync(file, text);
    const r = await sealedCli(["seal", "--cert", fixturePath("key1.crt"), "-f", file]);
    expect(r.code, reason).not.toBe(0);
    expectClean(r.stderr, raw, reason);
    expect(r.stderr, reason).toContain(file);
    expect(r.logs.join("\n"), reason).not.toContain(raw);
  });
});

describe("unseal: SealedSecret and template parse errors never quote the input", () => {
  const secret = toSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "c", namespace: "ns" }, stringData: { v: "a-value" } }, "s");
  const sealed = sealSecret(secret, fixtureKey("key1").publicKey);

  const templates = both([
    { doc: "{{ $ }}", reason: "a value written as a function name" },
    { doc: "{{ .v.$ }}", reason: "a chained field" },
    { doc: "{{ .$-x }}", reason: "a bad field name" },
    { doc: "{{ 1$ }}", reason: "an unsupported token" },
    { doc: '{{ "$ }}', reason: "an unterminated string" },
    { doc: '{{ "\\q$" }}', reason: "an unknown escape" },
    { doc: "{{ $", reason: "an unclosed action" },
    { doc: "{{ ($ }}", reason: "an unclosed parenthesis" },
    { doc: "{{ .v ) $ }}", reason: "an unexpected parenthesis" },
    { doc: '{{ printf "%d" "$" }}', reason: "an unsupported printf verb" },
    { doc: '{{ b64dec "$!" }}', reason: "b64dec of invalid base64" },
    { doc: "{{ .v | $ }}", reason: "a piped value into an unknown function" },
  ]);
  it.each(templates)("unseal with a template holding $reason", async ({ text, raw, reason }) => {
    const withTemplate = { ...sealed, spec: { ...sealed.spec, template: { ...sealed.spec.template, data: { out: text } } } };
    const r = await sealedCli(["unseal", "--private-key", fixturePath("key1.pem")], { stdin: formatObject(withTemplate, "yaml") });
    expect(r.code, reason).not.toBe(0);
    expectClean(r.stderr, raw, reason);
    expect(r.stderr, reason).toContain("SealedSecret/ns/c");
  });

  const manifests = both([
    { doc: "kind: SealedSecret\nspec:\n  encryptedData:\n    v: *$\n", reason: "an alias to an unknown anchor" },
    { doc: 'kind: SealedSecret\nspec:\n  template:\n    data:\n      v: "$\n', reason: "an unterminated string" },
    { doc: '{"kind": "SealedSecret", "spec": {"template": {"data": {"v": $}}}}', reason: "json: an unquoted value" },
  ]);
  it.each(manifests)("unseal -f of a SealedSecret holding $reason", async ({ text, raw, reason }) => {
    const dir = tempDir();
    const file = join(dir, "sealed.yaml");
    writeFileSync(file, text);
    const r = await sealedCli(["unseal", "--private-key", fixturePath("key1.pem"), "-f", file]);
    expect(r.code, reason).not.toBe(0);
    expectClean(r.stderr, raw, reason);
    expect(r.stderr, reason).toContain(file);
  });
});
