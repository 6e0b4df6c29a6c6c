// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * The creation rule Sigil picks for a file is the one the real `sops`
 * 3.13.2 picks: for each config, `sops encrypt` runs on a file and the
 * recipients, KMS keys, Vault keys, threshold and rule it writes into the
 * `sops:` metadata are compared with `findSopsConfig` + `loadSopsConfig` +
 * `resolveCreationRule` for the same file.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { parse } from "yaml";
import { isSigilError } from "../../../src/core/index.js";
import { findSopsConfig, loadSopsConfig, resolveCreationRule } from "../../../src/decrypt/sops/config/index.js";
import type { CreationRuleSettings } from "../../../src/decrypt/sops/config/index.js";
import { vaultTransitUri } from "../../../src/providers/index.js";
import type { MasterKeyRef } from "../../../src/providers/index.js";
import { describePeers, peerBin, peers } from "../../support/peers.js";

const AGE_1 = "age1uhltqrrk67gga0a9l6pj7c9h9fyqa30x5srgtm4r4s45jn4hv49qqs74yv";
const AGE_2 = "age1rahkwnudxqfuun8jfyarm94hyzm262hff894fpwutrz4c34qhfyql2jrxw";

const scratch = mkdtempSync(join(tmpdir(), "sigil-sops-config-it-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

type Meta = Record<string, unknown>;
type Entry = Record<string, unknown>;

interface Outcome {
  readonly ok: boolean;
  readonly meta: Meta;
  readonly stderr: string;
}

/** Run `sops <args>` (args include the command, e.g. `encrypt` or the legacy `-e`). */
function sops(args: readonly string[], cwd: string): Outcome {
  const p = peers();
  const env = {
    PATH: process.env["PATH"] ?? "",
    HOME: scratch,
    SOPS_DISABLE_VERSION_CHECK: "1",
    AWS_ENDPOINT_URL_KMS: p.kms.endpoint,
    AWS_REGION: p.kms.region,
    AWS_ACCESS_KEY_ID: "AKIDSIGILTEST",
    AWS_SECRET_ACCESS_KEY: "sigil-test",
    VAULT_TOKEN: p.vault.token,
  };
  const run = spawnSync(peerBin("sops"), args, { cwd, env, encoding: "utf8" });
  const ok = run.status === 0;
  return { ok, meta: ok ? ((parse(run.stdout) as { sops: Meta }).sops) : {}, stderr: run.stderr };
}

/** Each key group sops wrote, as `age:…`, `kms:…`, `hc_vault:…` strings (age, then kms, then hc_vault, each in order). */
function sopsGroups(meta: Meta): string[][] {
  const groups = (meta["key_groups"] as Meta[] | undefined) ?? [meta];
  return groups.map((g) => [
    ...((g["age"] as Entry[] | undefined) ?? []).map((e) => `age:${String(e["recipient"])}`),
    ...((g["kms"] as Entry[] | undefined) ?? []).map((e) => kmsText(String(e["arn"]), e["role"], e["context"], e["aws_profile"])),
    ...((g["hc_vault"] as Entry[] | undefined) ?? []).map((e) => `hc_vault:${String(e["vault_address"])}/v1/${String(e["engine_path"])}/keys/${String(e["key_name"])}`),
  ]);
}

function kmsText(arn: string, role: unknown, context: unknown, profile: unknown): string {
  const ctx = JSON.stringify(Object.entries((context ?? {}) as Record<string, string>).sort());
  return `kms:${arn}|${typeof role === "string" ? role : ""}|${ctx}|${typeof profile === "string" ? profile : ""}`;
}

function refText(ref: MasterKeyRef): string {
  if (ref.type === "age") return `age:${ref.recipient}`;
  if (ref.type === "kms") return kmsText(ref.arn, ref.role, ref.context, ref.awsProfile);
  return `hc_vault:${vaultTransitUri(ref)}`;
}

function sigilGroups(settings: CreationRuleSettings): string[][] {
  const order = ["age", "kms", "hc_vault"];
  return settings.keyGroups.map((g) => order.flatMap((t) => g.filter((r) => r.type === t).map(refText)));
}

const RULE_FIELDS = ["unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex", "unencrypted_comment_regex", "encrypted_comment_regex"];

function sopsRule(meta: Meta): { kind: string; value: unknown } | undefined {
  const kind = RULE_FIELDS.find((f) => meta[f] !== undefined);
  return kind === undefined ? undefined : { kind, value: meta[kind] };
}

interface Case {
  readonly name: string;
  readonly config: () => string;
  /** The file to encrypt, relative to the case directory. */
  readonly file: string;
  /** Where sops runs (and Sigil starts looking for .sops.yaml), relative to the case directory. */
  readonly cwd: string;
  /** Passed to sops as `--encryption-context`. */
  readonly encryptionContext?: Record<string, string>;
  /** Use the legacy `sops -e` form instead of `sops encrypt`. */
  readonly legacy?: boolean;
  /** What Sigil is given as the encryption context (default: the same as sops). */
  readonly sigilContext?: Record<string, string> | null;
  readonly reason: string;
}

const vaultUri = (): string => `${peers().vault.addr}/v1/${peers().vault.transitMount}/keys/${peers().vault.transitKey}`;
const arn = (i: number): string => peers().kms.keyArns[i] ?? "";

const CASES: readonly Case[] = [
  {
    name: "first-match",
    reason: "the first matching rule wins, the path is relative to the config directory, found from a subdirectory; flat duplicates are kept",
    config: () => `creation_rules:
  - path_regex: ^secrets/prod/.*\\.ya?ml$
    age: "${AGE_1}, ${AGE_2},${AGE_1},"
    encrypted_regex: ^(password|token)$
  - path_regex: secrets/
    age: ${AGE_2}
  - age: ${AGE_1}
`,
    file: "secrets/prod/db.yaml",
    cwd: "secrets/prod",
  },
  {
    name: "later-rule",
    reason: "a later rule matches when the first does not; (?i) and unencrypted_suffix",
    config: () => `creation_rules:
  - path_regex: ^secrets/prod/
    age: ${AGE_1}
  - path_regex: (?i)SECRETS/.*\\.YAML$
    age: [${AGE_2}]
    unencrypted_suffix: _clear
  - age: ${AGE_1}
`,
    file: "secrets/dev/app.yaml",
    cwd: ".",
  },
  {
    name: "key-groups",
    reason: "key groups with merge and de-duplication, KMS context from the group, Vault, shamir_threshold, mac_only_encrypted",
    config: () => `creation_rules:
  - path_regex: \\.yaml$
    age: ${AGE_2}
    key_groups:
      - merge:
          - age: [${AGE_1}]
            kms: [{arn: ${arn(0)}, context: {app: sigil, env: test}}]
        age: [${AGE_1}, ${AGE_2}]
        kms: [{arn: ${arn(0)}, context: {env: test, app: sigil}}]
      - hc_vault: [${vaultUri()}]
      - kms: [{arn: ${arn(1)}}]
    shamir_threshold: 2
    mac_only_encrypted: true
    unencrypted_regex: ^public
`,
    file: "deploy/values.yaml",
    cwd: "deploy",
  },
  {
    name: "flat-kms-vault-legacy",
    reason: "flat kms and hc_vault_transit_uri lists, `sops -e --encryption-context` applying the context to the flat KMS keys, encrypted_suffix",
    config: () => `creation_rules:
  - kms: ${arn(0)},${arn(1)}
    hc_vault_transit_uri: [${vaultUri()}]
    encrypted_suffix: _secret
`,
    file: "app.yaml",
    cwd: ".",
    encryptionContext: { team: "platform" },
    legacy: true,
  },
  {
    name: "flat-kms-encrypt",
    reason: "`sops encrypt --encryption-context` does NOT apply the context to flat KMS keys from .sops.yaml (a sops 3.13.2 quirk): Sigil given no context agrees",
    config: () => `creation_rules:
  - kms: ${arn(0)}
`,
    file: "app.yaml",
    cwd: ".",
    encryptionContext: { team: "platform" },
    sigilContext: null,
  },
  {
    name: "single-group",
    reason: "one key group is written flat, and a single-group shamir_threshold is carried as given",
    config: () => `creation_rules:
  - key_groups:
      - age: ["${AGE_2},${AGE_1}"]
    shamir_threshold: 3
    encrypted_comment_regex: sops:enc
`,
    file: "x.yaml",
    cwd: ".",
  },
];

function caseDir(c: Case): string {
  const dir = join(scratch, c.name);
  mkdirSync(join(dir, dirname(c.file)), { recursive: true });
  mkdirSync(join(dir, c.cwd), { recursive: true });
  writeFileSync(join(dir, ".sops.yaml"), c.config());
  writeFileSync(join(dir, c.file), "password: hunter2-canary\npublic_name: demo\ntoken_secret: abc\n");
  return dir;
}

async function sigilSettings(cwd: string, file: string, encryptionContext?: Record<string, string>): Promise<CreationRuleSettings | undefined> {
  const found = await findSopsConfig(cwd);
  if (found.path === undefined) throw new Error("sigil found no .sops.yaml");
  const cfg = await loadSopsConfig(found.path);
  return resolveCreationRule(cfg, dirname(found.path), file, { cwd, ...(encryptionContext === undefined ? {} : { encryptionContext }) });
}

describePeers("creation rules picked like the real sops 3.13.2", () => {
  it.each(CASES)("picks the same keys and settings as sops: $reason", async (c) => {
    const dir = caseDir(c);
    const cwd = join(dir, c.cwd);
    const ctxArgs = c.encryptionContext === undefined ? [] : ["--encryption-context", Object.entries(c.encryptionContext).map(([k, v]) => `${k}:${v}`).join(",")];
    const out = sops([c.legacy === true ? "-e" : "encrypt", ...ctxArgs, join(dir, c.file)], cwd);
    expect(out.stderr).toBe("");
    expect(out.ok).toBe(true);
    const mine = await sigilSettings(cwd, join(dir, c.file), c.sigilContext === null ? undefined : (c.sigilContext ?? c.encryptionContext));
    if (mine === undefined) throw new Error("sigil matched no rule");
    expect(mine.unsupported).toEqual([]);
    expect(sigilGroups(mine)).toEqual(sopsGroups(out.meta));
    expect(mine.shamirThreshold).toBe(out.meta["shamir_threshold"]);
    // With no rule in .sops.yaml, sops (and Sigil's encrypt engine) write the default unencrypted_suffix.
    const rule = mine.rule ?? { kind: "unencrypted_suffix", value: "_unencrypted" };
    expect({ kind: rule.kind, value: rule.value }).toEqual(sopsRule(out.meta));
    expect(mine.macOnlyEncrypted).toBe(out.meta["mac_only_encrypted"] === true);
  });

  it("fails like sops when no creation rule matches", async () => {
    const c: Case = { name: "no-match", reason: "", config: () => `creation_rules: [{path_regex: ^prod/, age: ${AGE_1}}]\n`, file: "dev/a.yaml", cwd: "." };
    const dir = caseDir(c);
    const out = sops(["encrypt", join(dir, c.file)], dir);
    expect(out.ok).toBe(false);
    expect(out.stderr).toContain("no matching creation rules found");
    const err = await sigilSettings(dir, join(dir, c.file)).catch((e: unknown) => e);
    expect(isSigilError(err, "config.invalid") && err.message).toContain("no matching creation rules found");
  });

  it("matches an --config file outside the file's tree by the file's absolute path, like sops", async () => {
    const c: Case = { name: "outside", reason: "", config: () => "", file: "secrets/a.yaml", cwd: "." };
    const dir = caseDir(c);
    const other = join(scratch, "outside-config");
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, ".sops.yaml"), `creation_rules:\n  - path_regex: ^secrets/\n    age: ${AGE_1}\n  - age: ${AGE_2}\n`);
    const out = sops(["--config", join(other, ".sops.yaml"), "encrypt", join(dir, c.file)], dir);
    expect(out.ok).toBe(true);
    const cfg = await loadSopsConfig(join(other, ".sops.yaml"));
    const mine = resolveCreationRule(cfg, other, join(dir, c.file));
    expect(mine?.ruleIndex).toBe(1);
    expect(sigilGroups(mine ?? { ruleIndex: -1, keyGroups: [], macOnlyEncrypted: false, unsupported: [] })).toEqual(sopsGroups(out.meta));
  });

  it("warns about a .sops.yml on the way with the same text as sops", async () => {
    const dir = join(scratch, "yml-warning");
    mkdirSync(join(dir, "sub"), { recursive: true });
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules: [{age: ${AGE_1}}]\n`);
    writeFileSync(join(dir, "sub", ".sops.yml"), `creation_rules: [{age: ${AGE_2}}]\n`);
    writeFileSync(join(dir, "sub", "a.yaml"), "k: v\n");
    const out = sops(["encrypt", "a.yaml"], join(dir, "sub"));
    expect(out.ok).toBe(true);
    expect(sopsGroups(out.meta)).toEqual([[`age:${AGE_1}`]]);
    const found = await findSopsConfig(join(dir, "sub"));
    expect(found.path).toBe(join(dir, ".sops.yaml"));
    // sops searches with relative paths ("sub/.sops.yml" is "./.sops.yml" to it); the message shape is the same.
    const logged = /msg="((?:[^"\\]|\\.)*)"/.exec(out.stderr)?.[1] ?? "";
    expect(JSON.parse(`"${logged}"`)).toBe('ignoring ".sops.yml" when searching for config file; the config file must be called ".sops.yaml"; using "../.sops.yaml" instead');
    expect(found.warning).toBe(`ignoring "${join(dir, "sub", ".sops.yml")}" when searching for config file; the config file must be called ".sops.yaml"; using "${join(dir, ".sops.yaml")}" instead`);
  });
});
