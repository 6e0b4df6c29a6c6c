// .sops.yaml configuration (creation rules) — see docs/sops-config.md
import { describe, expect, it } from "vitest";
import { creationRuleSettings } from "../../../../src/decrypt/sops/config/index.js";
import type { CreationRule, SopsConfig } from "../../../../src/decrypt/sops/config/index.js";
import { AGE_1, AGE_2, ARN_1, ARN_2, CONFIG_PATH, ROLE, VAULT, config, thrown } from "./support.js";

function firstRule(yaml: string): { cfg: SopsConfig; rule: CreationRule } {
  const cfg = config(yaml);
  const rule = cfg.creationRules?.[0];
  if (rule === undefined) throw new Error("no rule");
  return { cfg, rule };
}

function settings(yaml: string, encryptionContext?: Record<string, string>) {
  const { cfg, rule } = firstRule(yaml);
  return creationRuleSettings(cfg, rule, encryptionContext === undefined ? {} : { encryptionContext });
}

describe("flat key lists", () => {
  const forms = [
    { value: `"${AGE_1},${AGE_2}"`, keys: [AGE_1, AGE_2], reason: "a comma-separated string" },
    { value: `" ${AGE_1} , ${AGE_2} ,"`, keys: [AGE_1, AGE_2], reason: "items are trimmed and a trailing comma dropped" },
    { value: `",,${AGE_1},,"`, keys: [AGE_1], reason: "empty items are dropped" },
    { value: `[${AGE_1}, ${AGE_2}]`, keys: [AGE_1, AGE_2], reason: "a YAML list" },
    { value: `["${AGE_1},${AGE_2}"]`, keys: [AGE_1, AGE_2], reason: "a list item with commas is split, as sops joins and re-splits" },
    { value: `""`, keys: [], reason: "an empty string" },
    { value: `~`, keys: [], reason: "null" },
    { value: `[]`, keys: [], reason: "an empty list" },
  ];
  it.each(forms)("reads $reason", ({ value, keys }) => {
    expect(firstRule(`creation_rules: [{age: ${value}}]`).rule.keys.age).toEqual(keys);
  });

  it("reads every flat list, and hckms as a list", () => {
    const { rule } = firstRule(
      `creation_rules:\n  - pgp: "AB CD, EF"\n    kms: ${ARN_1}+${ROLE}\n    gcp_kms: projects/p/locations/l/keyRings/r/cryptoKeys/k\n    azure_keyvault: https://v.vault.azure.net/keys/k/1\n    hc_vault_transit_uri: [${VAULT}]\n    hckms: ["eu:1, eu:2"]\n    aws_profile: prod\n`,
    );
    expect(rule.keys).toEqual({
      age: [],
      pgp: ["AB CD", "EF"],
      kms: [`${ARN_1}+${ROLE}`],
      gcpKms: ["projects/p/locations/l/keyRings/r/cryptoKeys/k"],
      azureKeyvault: ["https://v.vault.azure.net/keys/k/1"],
      hcVaultTransitUri: [VAULT],
      hckms: ["eu:1", "eu:2"],
    });
    expect(rule.awsProfile).toBe("prod");
  });

  it("makes one group of the flat lists in sops' order, keeping duplicates as sops does", () => {
    const s = settings(`creation_rules:\n  - hc_vault_transit_uri: ${VAULT}\n    kms: ${ARN_1}\n    age: ${AGE_1},${AGE_1}\n`);
    expect(s.keyGroups).toEqual([
      [
        { type: "age", recipient: AGE_1 },
        { type: "age", recipient: AGE_1 },
        { type: "kms", arn: ARN_1 },
        { type: "hc_vault", vaultAddress: "https://vault.example.com:8200", enginePath: "transit", keyName: "sops" },
      ],
    ]);
  });

  it("applies the encryption context and aws_profile to flat KMS keys, and splits ARN+role", () => {
    const s = settings(`creation_rules: [{kms: "${ARN_1}+${ROLE}, ${ARN_2}", aws_profile: dev}]`, { app: "demo" });
    expect(s.keyGroups).toEqual([
      [
        { type: "kms", arn: ARN_1, role: ROLE, context: { app: "demo" }, awsProfile: "dev" },
        { type: "kms", arn: ARN_2, context: { app: "demo" }, awsProfile: "dev" },
      ],
    ]);
  });

  it("has no key group when the rule names no keys (keys may come from the command line)", () => {
    expect(settings("creation_rules: [{encrypted_regex: '^data$'}]").keyGroups).toEqual([]);
  });
});

describe("key groups", () => {
  it("flattens merge groups first, then the group's own keys, removing duplicates", () => {
    const s = settings(
      `creation_rules:\n  - key_groups:\n      - age: [${AGE_1}]\n        kms: [{arn: ${ARN_1}}]\n        merge:\n          - age: [${AGE_2}, ${AGE_1}]\n          - merge: [{kms: [{arn: ${ARN_1}}]}]\n            hc_vault: [${VAULT}]\n      - age: ["${AGE_1},${AGE_2}", ""]\n`,
    );
    expect(s.keyGroups).toEqual([
      [
        { type: "age", recipient: AGE_2 },
        { type: "age", recipient: AGE_1 },
        { type: "kms", arn: ARN_1 },
        { type: "hc_vault", vaultAddress: "https://vault.example.com:8200", enginePath: "transit", keyName: "sops" },
      ],
      [
        { type: "age", recipient: AGE_1 },
        { type: "age", recipient: AGE_2 },
      ],
    ]);
  });

  it("keeps KMS keys that differ only in role, context or profile (sops' identity includes them)", () => {
    const s = settings(
      `creation_rules:\n  - key_groups:\n      - kms:\n          - {arn: ${ARN_1}}\n          - {arn: ${ARN_1}, context: {b: "2", a: "1"}}\n          - {arn: ${ARN_1}, context: {a: "1", b: "2"}}\n          - {arn: ${ARN_1}, role: ${ROLE}}\n          - {arn: ${ARN_1}, aws_profile: p}\n`,
    );
    expect(s.keyGroups[0]).toEqual([
      { type: "kms", arn: ARN_1 },
      { type: "kms", arn: ARN_1, context: { b: "2", a: "1" } },
      { type: "kms", arn: ARN_1, role: ROLE },
      { type: "kms", arn: ARN_1, awsProfile: "p" },
    ]);
  });

  it("ignores the flat lists and aws_profile when key_groups is set, with a warning", () => {
    const { cfg } = firstRule(`creation_rules: [{age: ${AGE_2}, aws_profile: x, key_groups: [{age: [${AGE_1}]}]}]`);
    expect(cfg.warnings).toEqual(["creation_rules[0]: key_groups is set, so age, aws_profile are ignored, as sops does"]);
    const rule = cfg.creationRules?.[0];
    if (rule === undefined) throw new Error("no rule");
    expect(creationRuleSettings(cfg, rule).keyGroups).toEqual([[{ type: "age", recipient: AGE_1 }]]);
  });

  it("uses the flat lists when key_groups is an empty list", () => {
    expect(settings(`creation_rules: [{age: ${AGE_1}, key_groups: []}]`).keyGroups).toEqual([[{ type: "age", recipient: AGE_1 }]]);
  });

  it("carries shamir_threshold", () => {
    const s = settings(`creation_rules: [{shamir_threshold: 2, key_groups: [{age: [${AGE_1}]}, {age: [${AGE_2}]}, {kms: [{arn: ${ARN_1}}]}]}]`);
    expect(s.shamirThreshold).toBe(2);
    expect(s.keyGroups).toHaveLength(3);
    expect(settings(`creation_rules: [{age: ${AGE_1}}]`).shamirThreshold).toBeUndefined();
  });

  it("refuses merge groups nested too deeply", () => {
    let group = `{age: [${AGE_1}]}`;
    for (let i = 0; i < 20; i++) group = `{merge: [${group}]}`;
    const err = thrown(() => config(`creation_rules: [{key_groups: [${group}]}]`));
    expect(err.code).toBe("config.invalid");
    expect(err.message).toContain("merge groups nest more than 16 levels deep");
  });
});

describe("selection rules and mac_only_encrypted", () => {
  const fields = [
    { kind: "unencrypted_suffix", value: "_plain" },
    { kind: "encrypted_suffix", value: "_secret" },
    { kind: "unencrypted_regex", value: "^(kind|apiVersion)$" },
    { kind: "encrypted_regex", value: "^(data|stringData)$" },
    { kind: "unencrypted_comment_regex", value: "^ *plain" },
    { kind: "encrypted_comment_regex", value: "sops:enc" },
  ];
  it.each(fields)("reads $kind", ({ kind, value }) => {
    expect(settings(`creation_rules: [{age: ${AGE_1}, ${kind}: '${value}'}]`).rule).toEqual({ kind, value });
  });

  it("has no rule when none is set, and treats an empty value as unset", () => {
    expect(settings(`creation_rules: [{age: ${AGE_1}, encrypted_regex: ""}]`).rule).toBeUndefined();
  });

  it("rejects two selection rules in one rule, naming the rule and both fields", () => {
    const err = thrown(() => config(`creation_rules: [{age: ${AGE_1}}, {encrypted_regex: a, unencrypted_suffix: b}]`));
    expect(err.code).toBe("config.invalid");
    expect(err.subject).toBe(CONFIG_PATH);
    expect(err.message).toContain("creation_rules[1]: only one of");
    expect(err.message).toContain("found unencrypted_suffix and encrypted_regex");
  });

  const macs = [
    { value: "true", expected: true, reason: "true" },
    { value: "false", expected: false, reason: "false" },
    { value: "yes", expected: true, reason: "the YAML 1.1 word yes, which go-yaml accepts for a bool" },
    { value: "off", expected: false, reason: "the YAML 1.1 word off" },
    { value: "~", expected: false, reason: "null" },
  ];
  it.each(macs)("reads mac_only_encrypted: $reason", ({ value, expected }) => {
    expect(settings(`creation_rules: [{age: ${AGE_1}, mac_only_encrypted: ${value}}]`).macOnlyEncrypted).toBe(expected);
  });

  it("rejects a selection regex Go would reject when the rule is used", () => {
    const err = thrown(() => settings(`creation_rules: [{age: ${AGE_1}, encrypted_regex: '^(?!metadata)'}]`));
    expect(err.code).toBe("config.invalid");
    expect(err.message).toContain("creation_rules[0].encrypted_regex");
    expect(err.message).toContain("invalid or unsupported Perl syntax");
  });
});

describe("fields of the wrong type", () => {
  const cases = [
    { yaml: "creation_rules: [{age: 5}]", text: "creation_rules[0].age: expected a comma-separated string or a list of strings, found a number (line 1)", reason: "a number as a key list" },
    { yaml: "creation_rules: [{kms: [5]}]", text: "creation_rules[0].kms[0]: expected a string, found a number", reason: "a number in a key list" },
    { yaml: "creation_rules: [{age: {a: b}}]", text: "creation_rules[0].age: expected a comma-separated string or a list of strings, found a mapping", reason: "a mapping as a key list" },
    { yaml: "creation_rules: [{hckms: 'eu:1'}]", text: "creation_rules[0].hckms: expected a list, found a string", reason: "hckms as a string (sops wants a list)" },
    { yaml: "creation_rules: [{shamir_threshold: '2'}]", text: "creation_rules[0].shamir_threshold: expected an integer, found a string", reason: "a quoted threshold" },
    { yaml: "creation_rules: [{shamir_threshold: 2.5}]", text: "creation_rules[0].shamir_threshold: expected an integer, found a number", reason: "a fractional threshold" },
    { yaml: "creation_rules: [{shamir_threshold: -1}]", text: "creation_rules[0].shamir_threshold: expected a non-negative integer, found -1", reason: "a negative threshold" },
    { yaml: "creation_rules: [{mac_only_encrypted: maybe}]", text: "creation_rules[0].mac_only_encrypted: expected a boolean, found a string", reason: "a non-boolean flag" },
    { yaml: "creation_rules: [{path_regex: [a]}]", text: "creation_rules[0].path_regex: expected a string, found a list", reason: "a list as path_regex" },
    { yaml: "creation_rules: [{key_groups: x}]", text: "creation_rules[0].key_groups: expected a list, found a string", reason: "key_groups not a list" },
    { yaml: "creation_rules: [{key_groups: [{kms: [arn]}]}]", text: "creation_rules[0].key_groups[0].kms[0]: expected a mapping, found a string", reason: "a KMS group entry as a string" },
    { yaml: "creation_rules: [{key_groups: [{kms: [{arn: a, context: {k: ~}}]}]}]", text: "creation_rules[0].key_groups[0].kms[0].context.k: expected a string, found null", reason: "a null context value (sops would crash)" },
    { yaml: "creation_rules: [{key_groups: [{age: x}]}]", text: "creation_rules[0].key_groups[0].age: expected a list, found a string", reason: "a group's age as a string" },
    { yaml: "creation_rules: [{key_groups: [{merge: [[a]]}]}]", text: "creation_rules[0].key_groups[0].merge[0]: expected a mapping, found a list", reason: "a merge entry that is not a group" },
  ];
  it.each(cases)("rejects $reason, naming the rule index and field", ({ yaml, text }) => {
    const err = thrown(() => config(yaml));
    expect(err.code).toBe("config.invalid");
    expect(err.subject).toBe(CONFIG_PATH);
    expect(err.message).toContain(text);
  });

  it("takes a scalar's source text for a string field, as go-yaml does", () => {
    expect(firstRule("creation_rules: [{path_regex: 1.10, aws_profile: 007}]").rule).toMatchObject({ pathRegex: "1.10", awsProfile: "007" });
  });
});
