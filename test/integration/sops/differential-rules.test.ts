/**
 * Differential testing of the selection rules against the real sops 3.13.2:
 * for each of the six rules and `mac_only_encrypted`, over generated YAML,
 * JSON, dotenv and INI documents, sigil encrypt leaves exactly the leaves in
 * clear that sops encrypt leaves in clear, the two encrypted files have the
 * same shape once masked, and each tool decrypts the other's file.
 *
 * The rule arguments are chosen to hit the generated keys (`password-12`,
 * `TOKEN_7`, …) and the generated comments (" sops-marker").
 * SIGIL_DIFF_RULE_SEEDS=<n> runs more seeds per rule and store.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePeers } from "../../support/peers.js";
import { generate, seeds } from "../../support/sops-gen.js";
import type { GenStore } from "../../support/sops-gen.js";
import { FIXTURE_AGE_KEY_FILE, ageRecipientOf, isK1, maskOutput, runCase, sameOutcome, sameShape, scratchDir } from "../../support/sops-peer.js";
import type { Case, Refused, ToolEnv } from "../../support/sops-peer.js";

const COUNT = Number(process.env["SIGIL_DIFF_RULE_SEEDS"] ?? 5);
const BASE = 20_000;

/**
 * Each rule with an argument that matches some generated keys or comments,
 * given as a flag where `sops encrypt` has one, else through `.sops.yaml`
 * (sops 3.13.2's `encrypt` has no flag for the comment regexes or
 * `mac_only_encrypted`; sigil accepts both forms).
 */
interface Rule {
  readonly name: string;
  readonly flags?: readonly string[];
  /** The creation-rule line(s) under `- age: …`. */
  readonly config?: string;
  readonly stores: readonly GenStore[];
}

const ALL: readonly GenStore[] = ["yaml", "json", "dotenv", "ini"];
const RULES: readonly Rule[] = [
  { name: "unencrypted_suffix", flags: ["--unencrypted-suffix", "3"], stores: ALL },
  { name: "encrypted_suffix", flags: ["--encrypted-suffix", "5"], stores: ALL },
  { name: "unencrypted_regex", flags: ["--unencrypted-regex", "^(password|token|PASSWORD|TOKEN)"], stores: ALL },
  { name: "encrypted_regex", flags: ["--encrypted-regex", "^(user|db|api|USER|DB|API)"], stores: ALL },
  { name: "encrypted_regex (.sops.yaml)", config: "encrypted_regex: '^(user|db|api|USER|DB|API)'", stores: ALL },
  { name: "unencrypted_comment_regex (.sops.yaml)", config: "unencrypted_comment_regex: sops-marker", stores: ["yaml", "dotenv", "ini"] },
  { name: "encrypted_comment_regex (.sops.yaml)", config: "encrypted_comment_regex: sops-marker", stores: ["yaml", "dotenv", "ini"] },
  { name: "mac_only_encrypted (.sops.yaml)", config: "mac_only_encrypted: true", stores: ALL },
];

/** The data part of an encrypted file (the metadata left out), masked. */
function dataPart(c: Case, text: Buffer): string {
  const masked = maskOutput(text.toString("utf8"));
  const cut: Record<GenStore, RegExp> = { yaml: /^sops:$/m, json: /^\t"sops": \{$/m, dotenv: /^sops_/m, ini: /^\[sops\]$/m, binary: /^\t"sops"/m };
  const at = masked.search(cut[c.file.store]);
  return at === -1 ? masked : masked.slice(0, at);
}

/** The leaves (value and comment lines) an encrypted file leaves in clear, sorted. */
function clearLeaves(c: Case, text: Buffer): string[] {
  return dataPart(c, text)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.includes("ENC[") && !/^(?:[^#]*:|\[[^\]]*\]|[{}[\],]+|"[^"]*": [{[])$/.test(l))
    .sort();
}

describePeers("differential: selection rules and mac_only_encrypted against the real sops", () => {
  const results = new Map<string, (Case | Refused)[]>();
  let s: ReturnType<typeof scratchDir>;

  beforeAll(async () => {
    s = scratchDir();
    const env: ToolEnv = { home: s.dir, vars: { SOPS_AGE_KEY_FILE: FIXTURE_AGE_KEY_FILE } };
    const recipient = ageRecipientOf(FIXTURE_AGE_KEY_FILE);
    const jobs = RULES.flatMap((rule, i) => {
      const root = join(s.dir, `rule-${i}`);
      mkdirSync(root);
      // every rule gets a .sops.yaml (so no other config is found above it); flags win over it
      writeFileSync(join(root, ".sops.yaml"), `creation_rules:\n  - age: ${recipient}\n${rule.config === undefined ? "" : `    ${rule.config}\n`}`);
      return rule.stores.flatMap((store) =>
        seeds(BASE, COUNT).map(async (seed) => {
          const r = await runCase(root, env, generate(store, seed), [], rule.flags ?? []);
          results.set(rule.name, [...(results.get(rule.name) ?? []), r]);
        }),
      );
    });
    await Promise.all(jobs);
  }, 300_000);
  afterAll(() => {
    s.cleanup();
  });

  const casesOf = (rule: string): Case[] => (results.get(rule) ?? []).filter((r): r is Case => r.refused === undefined);

  it.each(RULES.map((r) => r.name))("%s: both tools accept the same inputs", (rule) => {
    const all = results.get(rule) ?? [];
    const disagree = all.filter((r) => r.refused !== undefined && (r.refused.sops.code === 0) !== (r.refused.sigil.code === 0));
    expect(disagree.map((r) => `${r.file.store} seed ${r.file.seed}: sops ${r.refused?.sops.stderr.trim()}, sigil ${r.refused?.sigil.stderr.trim()}`)).toEqual([]);
    expect(casesOf(rule).length).toBeGreaterThanOrEqual(all.length * 0.8);
  });

  it.each(RULES.map((r) => r.name))("%s: sigil leaves exactly the leaves in clear that sops leaves in clear", (rule) => {
    const failures = casesOf(rule).flatMap((c) => {
      const [theirs, ours] = [clearLeaves(c, c.sopsEnc), clearLeaves(c, c.sigilEnc)];
      const strip = (ls: string[]) => (isK1(c) ? ls.filter((l) => !l.startsWith("#") && l !== '- ""').map((l) => l.replace(/ #[^"']*$/, "")) : ls);
      return JSON.stringify(strip(ours)) === JSON.stringify(strip(theirs)) ? [] : [`${c.file.store} seed ${c.file.seed}: clear leaves ${JSON.stringify(ours)}, sops ${JSON.stringify(theirs)}`];
    });
    expect(failures).toEqual([]);
    if (!rule.startsWith("mac_only_encrypted")) {
      // the argument must select something in some documents and not in others, or the rule was not exercised
      const partly = casesOf(rule).filter((c) => clearLeaves(c, c.sopsEnc).length > 0 && c.sopsEnc.includes("ENC[AES256_GCM,data:"));
      expect(partly.length).toBeGreaterThan(0);
    }
  });

  it.each(RULES.map((r) => r.name))("%s: the encrypted files have the same shape once masked", (rule) => {
    const failures = casesOf(rule).flatMap(sameShape);
    expect(failures).toEqual([]);
  });

  it.each(RULES.map((r) => r.name))("%s: each tool decrypts the other's file to what sops -d prints", (rule) => {
    const failures = casesOf(rule).flatMap((c) => [
      ...sameOutcome(c, "sigil decrypt of sops' file", c.sopsPlain, c.sigilOfSops),
      ...sameOutcome(c, "sops -d of sigil's file", c.sopsPlain, c.sopsOfSigil),
    ]);
    expect(failures).toEqual([]);
  });
});
