// .sops.yaml configuration (creation rules) — see docs/sops-config.md
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findSopsConfig, loadSopsConfig, parseSopsConfig, storeIndents } from "../../../../src/decrypt/sops/config/index.js";
import type { ConfigFileSystem } from "../../../../src/decrypt/sops/config/index.js";
import { AGE_1, CONFIG_PATH, config, rejected, thrown } from "./support.js";

const root = mkdtempSync(join(tmpdir(), "sigil-sops-config-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function tree(name: string, files: readonly string[]): string {
  const base = join(root, name);
  mkdirSync(join(base, "a", "b", "c"), { recursive: true });
  for (const f of files) writeFileSync(join(base, f), `creation_rules: [{age: ${AGE_1}}]\n`);
  return base;
}

/** A file system holding only the given paths (for depth tests without 100 real directories). */
function fakeFs(paths: readonly string[]): ConfigFileSystem {
  const set = new Set(paths);
  return {
    exists: (p) => Promise.resolve(set.has(p)),
    readFile: (p) => (set.has(p) ? Promise.resolve(new TextEncoder().encode("creation_rules: []\n")) : Promise.reject(Object.assign(new Error("nope"), { code: "ENOENT" }))),
  };
}

describe("finding .sops.yaml", () => {
  const lookups = [
    { files: ["a/.sops.yaml"], start: "a/b/c", found: "a/.sops.yaml", reason: "walks up from the working directory" },
    { files: ["a/b/c/.sops.yaml", "a/.sops.yaml"], start: "a/b/c", found: "a/b/c/.sops.yaml", reason: "the working directory itself comes first" },
    { files: [".sops.yaml", "a/b/.sops.yaml"], start: "a/b/c", found: "a/b/.sops.yaml", reason: "the nearest file wins" },
    { files: ["a/b/.sops.yaml", "a/b/.sops.yml"], start: "a/b", found: "a/b/.sops.yaml", reason: "a .sops.yml next to the .sops.yaml found is not warned about" },
  ];
  it.each(lookups)("finds the config file: $reason", async ({ files, start, found }) => {
    const base = tree(`find-${files.join("+").replaceAll("/", "_")}`, files);
    const result = await findSopsConfig(join(base, start));
    expect(result).toEqual({ path: join(base, found), warning: undefined });
  });

  it("warns about a .sops.yml seen on the way and uses the .sops.yaml above it", async () => {
    const base = tree("yml-then-yaml", ["a/b/.sops.yml", ".sops.yaml"]);
    const result = await findSopsConfig(join(base, "a/b/c"));
    expect(result.path).toBe(join(base, ".sops.yaml"));
    expect(result.warning).toBe(
      `ignoring "${join(base, "a/b/.sops.yml")}" when searching for config file; the config file must be called ".sops.yaml"; using "${join(base, ".sops.yaml")}" instead`,
    );
  });

  it("warns about a .sops.yml when no .sops.yaml exists, and finds nothing", async () => {
    const fs = fakeFs(["/w/.sops.yml"]);
    const result = await findSopsConfig("/w/x/y", fs);
    expect(result).toEqual({ path: undefined, warning: `ignoring "/w/.sops.yml" when searching for config file; the config file must be called ".sops.yaml"` });
  });

  const depths = [
    { levelsUp: 0, found: true, reason: "the start directory is the first of the 100" },
    { levelsUp: 99, found: true, reason: "the 100th directory is still searched" },
    { levelsUp: 100, found: false, reason: "the 101st directory is not searched" },
  ];
  it.each(depths)("searches at most 100 directories: $reason", async ({ levelsUp, found }) => {
    const segments = Array.from({ length: 150 }, (_, i) => `d${i}`);
    const start = `/${segments.join("/")}`;
    const target = `/${segments.slice(0, 150 - levelsUp).join("/")}/.sops.yaml`;
    const result = await findSopsConfig(start, fakeFs([target]));
    expect(result.path).toBe(found ? target : undefined);
  });

  it("stops at the file system root", async () => {
    expect(await findSopsConfig("/x/y", fakeFs(["/.sops.yaml"]))).toEqual({ path: "/.sops.yaml", warning: undefined });
    expect(await findSopsConfig("/x/y", fakeFs([]))).toEqual({ path: undefined, warning: undefined });
  });

  it("refuses a relative start directory", async () => {
    const err = await rejected(findSopsConfig("relative/dir", fakeFs([])));
    expect(err.code).toBe("input.invalid");
  });
});

describe("loading a config file", () => {
  it("reads a file by path and keeps the path", async () => {
    const base = tree("load", ["a/.sops.yaml"]);
    const loaded = await loadSopsConfig(join(base, "a/.sops.yaml"));
    expect(loaded.path).toBe(join(base, "a/.sops.yaml"));
    expect(loaded.creationRules?.[0]?.keys.age).toEqual([AGE_1]);
  });

  it("reports a missing file as input.not_found naming it", async () => {
    const err = await rejected(loadSopsConfig("/nowhere/.sops.yaml", { fs: fakeFs([]) }));
    expect(err.code).toBe("input.not_found");
    expect(err.subject).toBe("/nowhere/.sops.yaml");
  });

  it("parses bytes given directly", async () => {
    const loaded = await loadSopsConfig(new TextEncoder().encode(`creation_rules: [{age: ${AGE_1}}]`), { path: "/x/.sops.yaml" });
    expect(loaded.path).toBe("/x/.sops.yaml");
    expect(loaded.creationRules).toHaveLength(1);
  });

  const shapes = [
    { yaml: "", rules: undefined, reason: "an empty file has no creation rules (sops: as if there were no config)" },
    { yaml: "stores: {yaml: {indent: 2}}", rules: undefined, reason: "a file without creation_rules" },
    { yaml: "creation_rules:", rules: undefined, reason: "a null creation_rules" },
    { yaml: "creation_rules: []", rules: 0, reason: "an empty list is kept (nothing will match)" },
    { yaml: "creation_rules: [~]", rules: 1, reason: "a null rule is an empty rule that matches everything" },
  ];
  it.each(shapes)("loads $reason", ({ yaml, rules }) => {
    expect(config(yaml).creationRules?.length).toBe(rules);
  });

  const invalid = [
    { yaml: "creation_rules: [\n  {age: x\n", code: "config.invalid", text: "invalid yaml: the indentation is not valid here at line 3, column 1", reason: "unterminated flow mapping" },
    { yaml: "creation_rules: []\ncreation_rules: []\n", code: "config.invalid", text: "invalid yaml: a mapping key is defined twice at line 2, column 1", reason: "a duplicate key" },
    { yaml: "- a\n- b\n", code: "config.invalid", text: "the config file: expected a mapping, found a list", reason: "a list at the top level" },
    { yaml: "creation_rules: hello", code: "config.invalid", text: "creation_rules: expected a list, found a string (line 1)", reason: "rules that are not a list" },
    { yaml: "creation_rules: [[a]]", code: "config.invalid", text: "creation_rules[0]: expected a mapping, found a list", reason: "a rule that is not a mapping" },
    { yaml: "stores: {json: {indent: tab}}", code: "config.invalid", text: "stores.json.indent: expected an integer", reason: "a non-integer indent" },
    { yaml: "? [a]\n: b\n", code: "config.invalid", text: "mapping keys must be scalars", reason: "a non-scalar key" },
    { yaml: "creation_rules:\n\t- age: x\n", code: "config.invalid", text: "invalid yaml: tabs cannot be used for indentation at line 2", reason: "tab indentation" },
  ];
  it.each(invalid)("rejects $reason with a clear error naming the file", ({ yaml, code, text }) => {
    const err = thrown(() => config(yaml));
    expect(err.code).toBe(code);
    expect(err.subject).toBe(CONFIG_PATH);
    expect(err.message).toContain(text);
    expect(err.message).not.toContain("\n");
  });

  it("stops an alias bomb quickly, with a bounded amount of work", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? "*a" : `*l${i - 1}`).join(", ")}]`);
    const started = performance.now();
    const err = thrown(() => config(`${levels.join("\n")}\ncreation_rules: [{key_groups: [{merge: *l11}]}]\n`));
    expect(err.code).toBe("config.invalid");
    expect(err.message).toContain("alias bomb");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("allows ordinary anchors, aliases and << merge keys", () => {
    const cfg = config(`x-common: &common {age: ${AGE_1}, encrypted_regex: '^data$'}\ncreation_rules:\n  - <<: *common\n    path_regex: a\n  - *common\n`);
    expect(cfg.creationRules?.map((r) => [r.pathRegex, r.keys.age, r.rule?.kind])).toEqual([
      ["a", [AGE_1], "encrypted_regex"],
      ["", [AGE_1], "encrypted_regex"],
    ]);
  });

  it("refuses a file over the size limit with input.too_large", () => {
    const err = thrown(() => parseSopsConfig(`# ${"x".repeat(2000)}\n`, { path: CONFIG_PATH, maxBytes: 1000 }));
    expect(err.code).toBe("input.too_large");
    expect(err.subject).toBe(CONFIG_PATH);
  });

  it("refuses bytes that are not UTF-8", () => {
    const err = thrown(() => parseSopsConfig(new Uint8Array([0x63, 0x3a, 0x20, 0xff, 0xfe]), { path: CONFIG_PATH }));
    expect(err.code).toBe("config.invalid");
    expect(err.message).toContain("utf-8");
  });

  it("reads only the first YAML document, with a warning", () => {
    const cfg = config(`creation_rules: [{age: ${AGE_1}}]\n---\ncreation_rules: []\n`);
    expect(cfg.creationRules).toHaveLength(1);
    expect(cfg.warnings).toContain("only the first yaml document of the config file is read, as sops does");
  });

  it("warns about unknown keys, which sops ignores silently", () => {
    const cfg = config(`creation_rules:\n  - path_regexp: prod/\n    age: ${AGE_1}\nstore: {}\n`);
    expect(cfg.warnings).toEqual([
      "the config file: unknown key 'store' is ignored (sops ignores it too)",
      "creation_rules[0]: unknown key 'path_regexp' is ignored (sops ignores it too)",
    ]);
    expect(cfg.creationRules?.[0]?.pathRegex).toBe("");
  });
});

describe("stores and destination rules", () => {
  it("reads the store indents and applies sops' defaults for unset ones", () => {
    const cfg = config("stores:\n  yaml: {indent: 2}\n  json: {}\n  json_binary: {indent: 0}\n  dotenv: {}\n");
    expect(cfg.stores).toEqual({ yaml: { indent: 2 }, json: {}, jsonBinary: { indent: 0 } });
    expect(storeIndents(cfg)).toEqual({ yaml: 2, json: -1, jsonBinary: 0 });
    expect(storeIndents(undefined)).toEqual({ yaml: 4, json: -1, jsonBinary: -1 });
    expect(storeIndents(config("stores: {yaml: {indent: 0}}")).yaml).toBe(4);
  });

  it("parses and keeps destination rules with their recreation rule", () => {
    const cfg = config(
      `destination_rules:\n  - path_regex: ^s3/\n    s3_bucket: b\n    s3_prefix: p/\n    recreation_rule: {age: ${AGE_1}, encrypted_suffix: _enc}\n  - vault_path: kv/x\n    vault_kv_version: 2\n    omit_extensions: true\n`,
    );
    const [first, second] = cfg.destinationRules;
    expect(first).toMatchObject({ index: 0, pathRegex: "^s3/", s3Bucket: "b", s3Prefix: "p/" });
    expect(first?.recreationRule?.keys.age).toEqual([AGE_1]);
    expect(first?.recreationRule?.rule).toEqual({ kind: "encrypted_suffix", value: "_enc" });
    expect(second).toMatchObject({ vaultPath: "kv/x", vaultKvVersion: 2, omitExtensions: true, recreationRule: undefined });
  });
});
