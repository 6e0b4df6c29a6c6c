// .sops.yaml configuration (creation rules) — see docs/sops-config.md
import { describe, expect, it } from "vitest";
import { matchCreationRule, requireUsableKeys, resolveCreationRule } from "../../../../src/decrypt/sops/config/index.js";
import type { CreationRuleSettings } from "../../../../src/decrypt/sops/config/index.js";
import { AGE_1, AGE_2, ARN_1, CONFIG_PATH, VAULT, config, thrown } from "./support.js";

const RULES = config(`creation_rules:
  - path_regex: ^secrets/prod/.*\\.ya?ml$
    age: ${AGE_1}
  - path_regex: secrets/
    age: ${AGE_2}
  - path_regex: (?i)\\.ENV$
    hc_vault_transit_uri: ${VAULT}
  - kms: ${ARN_1}
`);

describe("choosing the creation rule", () => {
  const cases = [
    { file: "/repo/secrets/prod/db.yaml", rule: 0, matched: "secrets/prod/db.yaml", reason: "the first matching rule wins over later ones" },
    { file: "/repo/secrets/dev/db.yaml", rule: 1, matched: "secrets/dev/db.yaml", reason: "a later rule matches when earlier ones do not" },
    { file: "/repo/secrets/prod/db.json", rule: 1, matched: "secrets/prod/db.json", reason: "the regex is unanchored unless it says so" },
    { file: "/repo/app/.env", rule: 2, matched: "app/.env", reason: "a (?i) regex matches case-insensitively" },
    { file: "/repo/other.txt", rule: 3, matched: "other.txt", reason: "a rule without path_regex matches everything" },
    { file: "/elsewhere/secrets/prod/db.yaml", rule: 1, matched: "/elsewhere/secrets/prod/db.yaml", reason: "a file outside the config directory is matched by its absolute path" },
    { file: "/repo/secrets/../secrets/prod/a.yml", rule: 0, matched: "secrets/prod/a.yml", reason: "the path is normalised like filepath.Abs" },
    { file: "/repository/secrets/prod/db.yaml", rule: 1, matched: "/repository/secrets/prod/db.yaml", reason: "the prefix is the directory plus a separator, not a string prefix" },
  ];
  it.each(cases)("matches $file: $reason", ({ file, rule, matched }) => {
    const m = matchCreationRule(RULES, "/repo", file);
    expect(m?.rule.index).toBe(rule);
    expect(m?.matchedPath).toBe(matched);
  });

  it("makes a relative file path absolute against the working directory", () => {
    expect(matchCreationRule(RULES, "/repo", "prod/db.yaml", { cwd: "/repo/secrets" })?.rule.index).toBe(0);
    expect(matchCreationRule(RULES, "..", "../secrets/prod/db.yaml", { cwd: "/repo/app" })?.matchedPath).toBe("secrets/prod/db.yaml");
  });

  it("refuses a relative path without a working directory", () => {
    expect(thrown(() => matchCreationRule(RULES, "/repo", "secrets/x.yaml")).code).toBe("input.invalid");
  });

  it("fails with config.invalid naming the file and the config when no rule matches", () => {
    const cfg = config(`creation_rules: [{path_regex: ^prod/, age: ${AGE_1}}]`);
    const err = thrown(() => matchCreationRule(cfg, "/repo", "/repo/dev/x.yaml"));
    expect(err.code).toBe("config.invalid");
    expect(err.subject).toBe(CONFIG_PATH);
    expect(err.message).toContain("no matching creation rules found for /repo/dev/x.yaml");
  });

  it("matches nothing with an empty creation_rules list, like sops", () => {
    expect(thrown(() => matchCreationRule(config("creation_rules: []"), "/repo", "/repo/a")).message).toContain("no matching creation rules found");
  });

  it("returns undefined when the config has no creation_rules (sops then uses no config)", () => {
    expect(matchCreationRule(config("stores: {}"), "/repo", "/repo/a.yaml")).toBeUndefined();
    expect(resolveCreationRule(config(""), "/repo", "/repo/a.yaml")).toBeUndefined();
  });

  it("compiles path regexes only up to the matching rule, as sops does", () => {
    const cfg = config(`creation_rules: [{age: ${AGE_1}}, {path_regex: '(?=x)'}]`);
    expect(matchCreationRule(cfg, "/repo", "/repo/a")?.rule.index).toBe(0);
    const err = thrown(() => matchCreationRule(config("creation_rules: [{path_regex: '(?=x)'}]"), "/repo", "/repo/a"));
    expect(err.code).toBe("config.invalid");
    expect(err.message).toContain("creation_rules[0].path_regex");
  });

  it("works on a config parsed from bytes without a path", () => {
    const m = matchCreationRule({ ...RULES, path: undefined }, "/repo", "/repo/secrets/prod/a.yaml");
    expect(m?.rule.index).toBe(0);
  });
});

describe("converting the matched rule", () => {
  it("gives the key groups, threshold, rule and mac_only_encrypted", () => {
    const cfg = config(`creation_rules:
  - path_regex: \\.yaml$
    key_groups:
      - age: [${AGE_1}]
      - kms: [{arn: ${ARN_1}, context: {app: demo}}]
    shamir_threshold: 1
    encrypted_regex: ^(data|stringData)$
    mac_only_encrypted: true
`);
    expect(resolveCreationRule(cfg, "/repo", "/repo/s.yaml", { encryptionContext: { ignored: "for key groups" } })).toEqual({
      ruleIndex: 0,
      keyGroups: [[{ type: "age", recipient: AGE_1 }], [{ type: "kms", arn: ARN_1, context: { app: "demo" } }]],
      shamirThreshold: 1,
      rule: { kind: "encrypted_regex", value: "^(data|stringData)$" },
      macOnlyEncrypted: true,
      unsupported: [],
    });
  });

  it("reports keys Sigil cannot use instead of dropping them", () => {
    const cfg = config(`creation_rules:
  - key_groups:
      - age: [${AGE_1}, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsHq user@host", age1yubikey1qwerty]
        pgp: ["85D7 7543 B3D6 24B6 3CEB 9E6E 7E4C 3C8E 2A23 A3A4"]
      - gcp_kms: [{resource_id: projects/p/locations/l/keyRings/r/cryptoKeys/k}]
        azure_keyvault: [{vaultUrl: "https://v.vault.azure.net", key: k, version: "1"}]
        hckms: [{key_id: "eu-west-101:0f1e"}]
        hc_vault: [${VAULT}]
`);
    const s = resolveCreationRule(cfg, "/repo", "/repo/a");
    expect(s?.keyGroups).toEqual([[{ type: "age", recipient: AGE_1 }], [{ type: "hc_vault", vaultAddress: "https://vault.example.com:8200", enginePath: "transit", keyName: "sops" }]]);
    expect(s?.unsupported).toEqual([
      { group: 0, type: "age", key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsHq user@host" },
      { group: 0, type: "age", key: "age1yubikey1qwerty" },
      { group: 0, type: "pgp", key: "85D77543B3D624B63CEB9E6E7E4C3C8E2A23A3A4" },
      { group: 1, type: "gcp_kms", key: "projects/p/locations/l/keyRings/r/cryptoKeys/k" },
      { group: 1, type: "hckms", key: "eu-west-101:0f1e" },
      { group: 1, type: "azure_keyvault", key: "https://v.vault.azure.net/keys/k/1" },
    ]);
  });

  const badKeys = [
    { yaml: "creation_rules: [{age: age1notvalid}]", field: "creation_rules[0].age", reason: "an invalid age recipient" },
    { yaml: "creation_rules: [{age: 'AGE-SECRET-KEY-1X'}]", field: "creation_rules[0].age", reason: "something that is not a recipient" },
    { yaml: "creation_rules: [{kms: 'arn:aws:s3:::bucket'}]", field: "creation_rules[0].kms", reason: "an ARN that is not KMS" },
    { yaml: "creation_rules: [{hc_vault_transit_uri: 'vault.example.com/transit/keys/a'}]", field: "creation_rules[0].hc_vault_transit_uri", reason: "a Vault URI without a scheme" },
    { yaml: "creation_rules: [{key_groups: [{kms: [{arn: nope}]}]}]", field: "creation_rules[0].key_groups[0].kms[0].arn", reason: "a group KMS ARN" },
    { yaml: "creation_rules: [{key_groups: [{merge: [{hc_vault: ['https://v/x']}]}]}]", field: "creation_rules[0].key_groups[0].merge[0].hc_vault[0]", reason: "a Vault URI in a merged group" },
  ];
  it.each(badKeys)("rejects $reason with config.invalid naming the field", ({ yaml, field }) => {
    const err = thrown(() => resolveCreationRule(config(yaml), "/repo", "/repo/a"));
    expect(err.code).toBe("config.invalid");
    expect(err.subject).toBe(CONFIG_PATH);
    expect(err.message.startsWith(`${field}: `)).toBe(true);
    expect(err.cause).toBeDefined();
  });
});

describe("requiring usable keys", () => {
  const base: CreationRuleSettings = { ruleIndex: 2, keyGroups: [[{ type: "age", recipient: AGE_1 }]], macOnlyEncrypted: false, unsupported: [] };
  const failures: { settings: CreationRuleSettings; code: string; text: string; reason: string }[] = [
    {
      settings: { ...base, unsupported: [{ group: 0, type: "pgp" as const, key: "ABCD" }] },
      code: "provider.not_configured",
      text: "creation_rules[2] names keys sigil cannot use: pgp:ABCD",
      reason: "an unsupported key",
    },
    { settings: { ...base, keyGroups: [] }, code: "provider.not_configured", text: "creation_rules[2] names no keys", reason: "no keys at all" },
    { settings: { ...base, keyGroups: [[{ type: "age", recipient: AGE_1 }], []] }, code: "config.invalid", text: "creation_rules[2].key_groups[1] has no keys", reason: "an empty group" },
    {
      settings: { ...base, keyGroups: [[{ type: "age", recipient: AGE_1 }], [{ type: "age", recipient: AGE_2 }]], shamirThreshold: 3 },
      code: "config.invalid",
      text: "creation_rules[2].shamir_threshold 3 is larger than the number of key groups (2)",
      reason: "a threshold above the number of groups",
    },
  ];
  it.each(failures)("refuses $reason", ({ settings, code, text }) => {
    const err = thrown(() => {
      requireUsableKeys(settings, CONFIG_PATH);
    });
    expect(err.code).toBe(code);
    expect(err.message).toContain(text);
    expect(err.subject).toBe(CONFIG_PATH);
  });

  it("accepts usable keys, including a threshold on a single group (sops writes it as given)", () => {
    expect(() => {
      requireUsableKeys({ ...base, shamirThreshold: 2 }, CONFIG_PATH);
    }).not.toThrow();
  });
});
