/**
 * Bounded fuzzing of the CLI input paths: encrypt then decrypt of each
 * format through `sigil` (round-trip), `.sops.yaml`, Secret and
 * SealedSecret manifests (seal / unseal), and SealedSecret templates.
 * Never an uncoded error, never a stack overflow, never a canary in an
 * error; round-trips where they apply.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSopsConfig } from "../../../src/decrypt/index.js";
import { parseManifests, renderTemplate, sealSecret, toSealedSecret, toSecret, unsealSealedSecret } from "../../../src/decrypt/sealed-secrets/index.js";
import { fixtureKey, ring } from "../sealed-secrets/support.js";
import { sigil, tempDir } from "../sops/cli-support.js";
import { AGE_RECIPIENT } from "../sops/helpers.js";
import { FUZZ_CANARY, JSON_TOKENS, YAML_TOKENS, expectCodedOrOk, runs, tokens } from "./support.js";

const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/);
const value = fc.string({ minLength: 1, maxLength: 16 }).filter((s) => !/[\n\r\\]/.test(s) && s.trim() === s && !/^["'`]/.test(s));
const flat = fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 });

function render(format: "yaml" | "json" | "env", doc: Record<string, string>): string {
  if (format === "json") return JSON.stringify(doc);
  if (format === "env") return Object.entries(doc).map(([k, v]) => `${k}=${v}\n`).join("");
  return Object.entries(doc).map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`).join("");
}

function reparse(format: "yaml" | "json" | "env", text: string): Record<string, string> {
  if (format === "json") return JSON.parse(text) as Record<string, string>;
  const out: Record<string, string> = {};
  for (const line of text.split("\n").filter((l) => l !== "")) {
    const at = format === "env" ? line.indexOf("=") : line.indexOf(": ");
    const raw = line.slice(at + (format === "env" ? 1 : 2));
    out[line.slice(0, at)] = format === "yaml" && raw.startsWith('"') ? (JSON.parse(raw) as string) : raw.startsWith("'") ? raw.slice(1, -1).replaceAll("''", "'") : raw;
  }
  return out;
}

describe("CLI encrypt / decrypt round-trips generated documents", () => {
  it.each(["yaml", "json", "env"] as const)("%s", async (format) => {
    const dir = tempDir();
    await fc.assert(
      fc.asyncProperty(flat, async (doc) => {
        writeFileSync(join(dir, `p.${format}`), render(format, doc));
        const enc = await sigil(["encrypt", "--age", AGE_RECIPIENT, "--output", `e.${format}`, `p.${format}`], dir);
        expect(enc.code, enc.err).toBe(0);
        const dec = await sigil(["decrypt", `e.${format}`], dir);
        expect(dec.code, dec.err).toBe(0);
        expect(reparse(format, dec.out)).toEqual(doc);
      }),
      runs(12),
    );
  });
});

describe(".sops.yaml under fuzzed input", () => {
  const alphabet = [...YAML_TOKENS, "creation_rules:\n", "  - ", "path_regex: ", "age: ", "encrypted_regex: ", "(a+)+", "key_groups:\n", "stores:\n", "shamir_threshold: "];
  it("parsing any token soup returns or fails with a code, quoting nothing", () => {
    fc.assert(fc.property(tokens(alphabet, 40), (text) => { expectCodedOrOk(() => parseSopsConfig(text, { path: "/fuzz/.sops.yaml" })); }), runs(300));
  });
});

describe("Secret and SealedSecret manifests under fuzzed input", () => {
  const alphabet = [...YAML_TOKENS, ...JSON_TOKENS, "kind: Secret\n", "metadata:\n", "  name: n\n", "data:\n", "stringData:\n", "  k: ", "spec:\n", "encryptedData:\n"];
  it("parsing and checking any token soup returns or fails with a code, quoting nothing", () => {
    fc.assert(
      fc.property(tokens(alphabet, 40), (text) => {
        expectCodedOrOk(() => parseManifests(text, "fuzz").map((d) => toSecret(d, "fuzz")));
        expectCodedOrOk(() => parseManifests(text, "fuzz").map((d) => toSealedSecret(d, "fuzz")));
      }),
      runs(300),
    );
  });

  it("seal then unseal gives the same values back", () => {
    const publicKey = fixtureKey("key1").publicKey;
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), fc.string({ maxLength: 24 }), { minKeys: 1, maxKeys: 3 }), (stringData) => {
        const secret = toSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "f", namespace: "ns" }, stringData }, "fuzz");
        const back = unsealSealedSecret(sealSecret(secret, publicKey), ring("key1"));
        const values = Object.fromEntries(Object.entries(back.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
        expect(values).toEqual(stringData);
      }),
      runs(8),
    );
  });
});

describe("SealedSecret templates under fuzzed input", () => {
  const alphabet = ["{{", "}}", "{{-", " -}}", " ", ".", ".v", ".x", "(", ")", "|", '"', "`", "\\", "q", "printf", '"%s"', '"%d"', "b64dec", "b64enc", "index", "default", "upper", "$", "/*", "*/", "if", "end", FUZZ_CANARY];
  const data = new Map([["v", Buffer.from(FUZZ_CANARY)]]);
  it("rendering any token soup returns or fails with sealed.template_failed, quoting nothing", () => {
    fc.assert(
      fc.property(tokens(alphabet, 30), (source) => {
        expectCodedOrOk(() => renderTemplate(source, data, { key: "out", subject: "SealedSecret/ns/f" }));
      }),
      runs(400),
    );
  });
});
