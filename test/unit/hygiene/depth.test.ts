/**
 * Issue 7, class 3: deep nesting never overflows the stack. Every parser
 * and recursive walk the CLI reaches is bounded (MAX_NESTING_DEPTH, 1000
 * levels; docs/security.md): a deeper input gets one coded error naming the
 * file, and an input at the limit still round-trips.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_NESTING_DEPTH } from "../../../src/core/index.js";
import { formatObject, sealSecret, toSecret } from "../../../src/decrypt/sealed-secrets/index.js";
import { sigil as sealedCli } from "../sealed-secrets/cli-support.js";
import { fixtureKey, fixturePath } from "../sealed-secrets/support.js";
import { sigil as sopsCli, tempDir } from "../sops/cli-support.js";
import { AGE_RECIPIENT } from "../sops/helpers.js";

const DEEP = 3000;

/** `k:` nested `n` levels with one-space indents (about n²/2 bytes: 3000 levels fit the default input limit). */
function blockMapYaml(n: number): string {
  return `${Array.from({ length: n }, (_, i) => `${" ".repeat(i)}k:`).join("\n")} v\n`;
}

const jsonObjects = (n: number): string => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

const SOPS_DEEP = [
  { name: "objects.json", doc: jsonObjects(DEEP), reason: "JSON objects 3000 deep" },
  { name: "arrays.json", doc: `{"a":${"[".repeat(DEEP)}1${"]".repeat(DEEP)}}`, reason: "JSON arrays 3000 deep" },
  { name: "block.yaml", doc: blockMapYaml(DEEP), reason: "block YAML mappings 3000 deep" },
  { name: "seq.yaml", doc: `a: ${"- ".repeat(DEEP)}x\n`.replace("a: ", "a:\n "), reason: "compact block sequences 3000 deep" },
  { name: "flow.yaml", doc: `a: ${"[".repeat(DEEP)}${"]".repeat(DEEP)}\n`, reason: "flow YAML 3000 deep" },
  { name: "mixed.yaml", doc: `${blockMapYaml(700).trimEnd().slice(0, -2)}\n${" ".repeat(700)}k: ${"[".repeat(700)}${"]".repeat(700)}\n`, reason: "700 block levels holding 700 flow levels" },
  {
    name: "alias.yaml",
    doc: `a: &a ${"[".repeat(900)}${"]".repeat(900)}\nb: &b ${"[".repeat(500)}*a${"]".repeat(500)}\nc: &c [[*b]]\nd: [*c, *c]\n`,
    reason: "aliases that multiply depth (900 + 500 + ...)",
  },
];

describe("sops stores: nesting deeper than the limit is refused with a code", () => {
  it.each(SOPS_DEEP)("encrypt and decrypt refuse $reason, naming the file", async ({ name, doc }) => {
    const dir = tempDir();
    writeFileSync(join(dir, name), doc);
    for (const verb of ["encrypt", "decrypt"]) {
      const r = await sopsCli(verb === "encrypt" ? ["encrypt", "--age", AGE_RECIPIENT, name] : ["decrypt", name], dir);
      expect(r.code, `${verb}: ${r.err}`).not.toBe(0);
      expect(r.err, verb).toContain(name);
      expect(r.err, verb).toContain(`${MAX_NESTING_DEPTH} levels`);
      expect(r.err, verb).toContain("[decrypt.parse_failed]");
    }
  });

  it.each([
    { name: "deep.env", doc: `A=1\nsops_x${"__map_a".repeat(DEEP)}=1\nsops_version=3.9.0\n` },
    { name: "deep.ini", doc: `[s]\nA=1\n[sops]\nx${"__map_a".repeat(DEEP)}=1\nversion=3.9.0\n` },
  ])("decrypt refuses flattened metadata nested 3000 levels deep in $name, naming the file", async ({ name, doc }) => {
    const dir = tempDir();
    writeFileSync(join(dir, name), doc);
    const r = await sopsCli(["decrypt", name], dir);
    expect(r.err).toContain(name);
    expect(r.err).toContain(`${MAX_NESTING_DEPTH} levels`);
    expect(r.err).toMatch(/\[decrypt\.invalid_metadata\]\n$/);
  });

  it.each([
    { name: "limit.json", doc: jsonObjects(MAX_NESTING_DEPTH - 1), exact: true },
    { name: "limit.yaml", doc: blockMapYaml(MAX_NESTING_DEPTH - 1), exact: true },
    { name: "limit-flow.yaml", doc: `a: ${"[".repeat(MAX_NESTING_DEPTH - 1)}x${"]".repeat(MAX_NESTING_DEPTH - 1)}\n`, exact: false },
  ])("round-trips $name, nested just under the limit", async ({ name, doc, exact }) => {
    const dir = tempDir();
    writeFileSync(join(dir, name), doc);
    const enc = await sopsCli(["encrypt", "--age", AGE_RECIPIENT, "-i", name], dir);
    expect(enc.code, enc.err).toBe(0);
    const dec = await sopsCli(["decrypt", name], dir);
    expect(dec.code, dec.err).toBe(0);
    if (exact) expect(dec.out.replace(/\s/g, "")).toBe(doc.replace(/\s/g, ""));
    else expect(dec.out).toMatch(/- x\n$/);
  });
});

describe(".sops.yaml, seal and unseal: nesting deeper than the limit is refused with a code", () => {
  it("refuses a .sops.yaml nested 3000 levels deep", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - age:\n${blockMapYaml(DEEP).replace(/^/gm, "     ")}`);
    writeFileSync(join(dir, "p.yaml"), "a: 1\n");
    const r = await sopsCli(["encrypt", "p.yaml"], dir);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(".sops.yaml");
    expect(r.err).toMatch(/\[(config\.invalid|input\.too_large)\]\n$/);
    expect(r.err).not.toContain("call stack");
  });

  it.each([
    { name: "deep.json", doc: `{"kind":"Secret","metadata":{"name":"s","namespace":"n","x":${jsonObjects(DEEP)}},"stringData":{"a":"b"}}`, reason: "JSON" },
    { name: "deep.yaml", doc: `kind: Secret\nmetadata:\n  name: s\n  namespace: n\n  x:\n${blockMapYaml(DEEP).replace(/^/gm, "   ")}stringData:\n  a: b\n`, reason: "YAML" },
    { name: "deep-flow.yaml", doc: `kind: Secret\nmetadata: {name: s, namespace: n, x: ${"[".repeat(DEEP)}${"]".repeat(DEEP)}}\nstringData: {a: b}\n`, reason: "flow YAML" },
  ])("seal refuses a $reason Secret nested 3000 levels deep, naming the file", async ({ name, doc }) => {
    const dir = tempDir();
    writeFileSync(join(dir, name), doc);
    const r = await sealedCli(["seal", "--cert", fixturePath("key1.crt"), "-f", join(dir, name)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(join(dir, name));
    expect(r.stderr).toMatch(/\[input\.invalid\]\n$/);
    expect(r.stderr).not.toContain("call stack");
  });

  const secret = toSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "c", namespace: "ns" }, stringData: { v: "x" } }, "s");
  const sealed = sealSecret(secret, fixtureKey("key1").publicKey);

  it("unseal refuses a template with 100,000 nested parentheses with sealed.template_failed", async () => {
    const template = `{{ ${"(".repeat(100_000)}.v${")".repeat(100_000)} }}`;
    const withTemplate = { ...sealed, spec: { ...sealed.spec, template: { ...sealed.spec.template, data: { out: template } } } };
    const r = await sealedCli(["unseal", "--private-key", fixturePath("key1.pem")], { stdin: formatObject(withTemplate, "json") });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("SealedSecret/ns/c");
    expect(r.stderr).toContain(`${MAX_NESTING_DEPTH} levels`);
    expect(r.stderr).toMatch(/\[sealed\.template_failed\]\n$/);
  });

  it("unseal still renders a template with parentheses nested to the limit", async () => {
    const n = MAX_NESTING_DEPTH - 1;
    const template = `{{ ${"(".repeat(n)}.v${")".repeat(n)} }}`;
    const withTemplate = { ...sealed, spec: { ...sealed.spec, template: { ...sealed.spec.template, data: { out: template } } } };
    const r = await sealedCli(["unseal", "--private-key", fixturePath("key1.pem"), "-o", "json"], { stdin: formatObject(withTemplate, "json") });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`"out": "${Buffer.from("x").toString("base64")}"`);
  });

  it("unseal refuses a SealedSecret nested 3000 levels deep, naming the file", async () => {
    const dir = tempDir();
    const file = join(dir, "sealed.json");
    writeFileSync(file, JSON.stringify({ ...sealed, spec: { ...sealed.spec, x: JSON.parse(jsonObjects(DEEP)) as unknown } }));
    const r = await sealedCli(["unseal", "--private-key", fixturePath("key1.pem"), "-f", file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/\[input\.invalid\]\n$/);
  });
});
