/**
 * Bounded fuzzing of the sops stores (YAML, JSON, dotenv, INI; plain and
 * encrypted parsing, metadata extraction on decrypt): never an uncoded
 * error, never a stack overflow, never a canary in an error; and
 * emit-then-parse round-trips generated documents.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decryptFile, storeFor } from "../../../src/decrypt/index.js";
import type { SopsFormat } from "../../../src/decrypt/index.js";
import { TreeMap } from "../../../src/decrypt/sops/tree/model.js";
import { ageRegistry } from "../sops/helpers.js";
import { DOTENV_TOKENS, INI_TOKENS, JSON_TOKENS, YAML_TOKENS, expectCodedOrOk, expectCodedOrOkAsync, runs, tokens } from "./support.js";

const ALPHABETS: readonly { format: SopsFormat; alphabet: readonly string[] }[] = [
  { format: "yaml", alphabet: YAML_TOKENS },
  { format: "json", alphabet: JSON_TOKENS },
  { format: "dotenv", alphabet: DOTENV_TOKENS },
  { format: "ini", alphabet: INI_TOKENS },
];

describe("sops stores under fuzzed input", () => {
  it.each(ALPHABETS)("$format: parsing any token soup returns or fails with a code, quoting nothing", ({ format, alphabet }) => {
    const store = storeFor(format);
    fc.assert(
      fc.property(tokens(alphabet, 60), (text) => {
        expectCodedOrOk(() => store.parsePlain(Buffer.from(text), "fuzz"));
        expectCodedOrOk(() => store.parseEncrypted(Buffer.from(text), "fuzz"));
      }),
      runs(300),
    );
  });

  it.each(ALPHABETS)("$format: decrypting any token soup fails with a code, quoting nothing", async ({ format, alphabet }) => {
    const registry = ageRegistry();
    await fc.assert(
      fc.asyncProperty(tokens(alphabet, 60), async (text) => {
        await expectCodedOrOkAsync(() => decryptFile(Buffer.from(text), { registry, format, path: "fuzz" }));
      }),
      runs(60),
    );
  });

  const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/);
  const value = fc.string({ maxLength: 20 }).filter((s) => !s.includes("\n") && !s.includes("\r") && s.trim() === s && !/^["'`]/.test(s));
  const flat = fc.dictionary(key, value, { maxKeys: 8 });

  it.each(["yaml", "json", "dotenv"] as const)("%s: emit then parse gives the same flat document back", (format) => {
    const store = storeFor(format);
    fc.assert(
      fc.property(flat, (doc) => {
        const tree = new TreeMap(Object.entries(doc).map(([k, v]) => ({ key: k, value: v })));
        const back = store.parsePlain(store.emitPlain([tree], "fuzz"), "fuzz");
        expect(Object.fromEntries((back[0]?.items ?? []).map((i) => [i.key, i.value]))).toEqual(doc);
      }),
      runs(150),
    );
  });

  it("ini: emit then parse gives the same sections back", () => {
    const store = storeFor("ini");
    fc.assert(
      fc.property(fc.dictionary(key, flat, { maxKeys: 4 }), (doc) => {
        const tree = new TreeMap(Object.entries(doc).map(([s, kv]) => ({ key: s, value: new TreeMap(Object.entries(kv).map(([k, v]) => ({ key: k, value: v }))) })));
        const back = store.parsePlain(store.emitPlain([tree], "fuzz"), "fuzz")[0];
        for (const [s, kv] of Object.entries(doc)) {
          const section = back?.get(s);
          expect(section instanceof TreeMap ? Object.fromEntries(section.items.filter((i) => typeof i.key === "string").map((i) => [i.key, i.value])) : undefined).toEqual(kv);
        }
      }),
      runs(100),
    );
  });
});
