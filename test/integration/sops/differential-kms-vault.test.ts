/**
 * Differential testing with AWS KMS (local-kms) and Vault transit (OpenBao)
 * keys against the real sops 3.13.2: a few generated documents per provider
 * in both directions, and a 2-of-3 key-group file mixing age, KMS and Vault
 * (`.sops.yaml` with key_groups and shamir_threshold 2) written by each tool
 * and decrypted by both, also with only two of the three providers usable.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { describePeers, peers } from "../../support/peers.js";
import { generate, seeds } from "../../support/sops-gen.js";
import type { GenStore } from "../../support/sops-gen.js";
import {
  FIXTURE_AGE_KEY_FILE,
  ageRecipientOf,
  describeDiff,
  decryptUncached,
  peerKeyEnv,
  runCase,
  runSops,
  sameOutcome,
  sameShape,
  scratchDir,
  typeFlags,
  vaultTransitUri,
} from "../../support/sops-peer.js";
import type { Case, Refused, RunResult, ToolEnv } from "../../support/sops-peer.js";

const STORES: readonly GenStore[] = ["yaml", "json", "dotenv", "ini", "binary"];
const SEEDS_PER_STORE = 2;

/** A KMS endpoint that denies every call (HTTP 400 AccessDeniedException), so "KMS unusable" fails fast without retries. */
function denyingKms(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
    res.end(JSON.stringify({ __type: "AccessDeniedException", message: "denied by the test" }));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => { resolve(server); }));
}

function cases(results: readonly (Case | Refused)[]): Case[] {
  return results.filter((r): r is Case => r.refused === undefined);
}

/** Same exit code both ways, same plaintext, same masked shape; returns failure lines. */
function compare(results: readonly (Case | Refused)[]): string[] {
  return results.flatMap((r) => {
    if (r.refused !== undefined) return [`${r.file.store} seed ${r.file.seed}: encrypt failed: sops ${r.refused.sops.stderr.trim()} / sigil ${r.refused.sigil.stderr.trim()}`];
    return [...sameOutcome(r, "sigil decrypt of sops' file", r.sopsPlain, r.sigilOfSops), ...sameOutcome(r, "sops -d of sigil's file", r.sopsPlain, r.sopsOfSigil), ...sameShape(r)];
  });
}

describePeers("differential: AWS KMS and Vault transit keys against the real sops", () => {
  let s: ReturnType<typeof scratchDir>;
  let env: ToolEnv;
  let deny: Server;

  beforeAll(async () => {
    s = scratchDir();
    env = { home: s.dir, vars: { ...peerKeyEnv(), SOPS_AGE_KEY_FILE: FIXTURE_AGE_KEY_FILE } };
    // The in-process CLI takes AWS credentials from its context's environment only: make sure
    // nothing in process.env helps it.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
    deny = await denyingKms();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await new Promise((resolve) => deny.close(resolve));
    s.cleanup();
  });

  const run = (name: string, args: readonly string[]) => {
    const root = join(s.dir, name);
    mkdirSync(root);
    return Promise.all(STORES.flatMap((store) => seeds(30_000, SEEDS_PER_STORE).map((seed) => runCase(root, env, generate(store, seed), args))));
  };

  it("KMS with an encryption context: both directions agree byte for byte in every store", async () => {
    const results = await run("kms", ["--kms", peers().kms.keyArns[0] ?? "", "--encryption-context", "app:sigil,team:diff"]);
    expect(compare(results)).toEqual([]);
    expect(cases(results)[0]?.sigilEnc.toString("utf8")).toContain("team");
  });

  it("Vault transit: both directions agree byte for byte in every store", async () => {
    const results = await run("vault", ["--hc-vault-transit", vaultTransitUri()]);
    expect(compare(results)).toEqual([]);
  });

  describe2of3();

  function describe2of3(): void {
    const groupsDir = () => join(s.dir, "groups");
    let group: Case[] = [];
    const variants: readonly { readonly reason: string; readonly vars: (deny: string) => Record<string, string> }[] = [
      { reason: "without age identities", vars: () => ({ SOPS_AGE_KEY_FILE: join(s.dir, "missing-keys.txt") }) },
      { reason: "with KMS denying access", vars: (d) => ({ AWS_ENDPOINT_URL_KMS: d }) },
      { reason: "with a Vault token that is refused", vars: () => ({ VAULT_TOKEN: "not-a-valid-token" }) },
    ];

    it("2-of-3 key groups (age, KMS, Vault) from .sops.yaml: both tools write files the other decrypts", async () => {
      const dir = groupsDir();
      mkdirSync(dir);
      const kms = peers().kms.keyArns[1] ?? "";
      writeFileSync(
        join(dir, ".sops.yaml"),
        [
          "creation_rules:",
          "  - shamir_threshold: 2",
          "    key_groups:",
          `      - age: [${ageRecipientOf(FIXTURE_AGE_KEY_FILE)}]`,
          "      - kms:",
          `          - arn: ${kms}`,
          "            context: {app: sigil}",
          `      - hc_vault: [${vaultTransitUri()}]`,
          "",
        ].join("\n"),
      );
      const results = await Promise.all((["yaml", "json", "dotenv"] as const).map((store) => runCase(dir, env, generate(store, 31_000), [])));
      group = cases(results);
      expect(group.length).toBe(3);
      expect(compare(results)).toEqual([]);
      for (const c of group) expect(c.sigilEnc.toString("utf8")).toMatch(/shamir_threshold["]?\s*[:=]\s*2/);
    });

    it.each(variants)("2-of-3 key groups decrypt with only two providers usable ($reason), in both tools, for both tools' files (no data-key cache)", async ({ vars }) => {
      expect(group.length).toBe(3);
      const address = deny.address() as AddressInfo;
      const twoOnly: ToolEnv = { home: env.home, vars: { ...env.vars, ...vars(`http://127.0.0.1:${address.port}`) } };
      const failures: string[] = [];
      for (const c of group) {
        const dir = join(groupsDir(), [c.file.store, c.file.seed].join("-"));
        for (const file of ["sops.enc", "sigil.enc"]) {
          const t = typeFlags(c.file.store);
          const [theirs, ours] = await Promise.all([runSops(["decrypt", ...t, file], dir, twoOnly), decryptUncached(readFileSync(join(dir, file)), c.file.store, twoOnly)]);
          failures.push(...check(c, file, theirs, ours));
        }
      }
      expect(failures).toEqual([]);
    });

    it("2-of-3 key groups: with only one provider usable both tools refuse, with the same exit code and no plaintext", async () => {
      expect(group.length).toBe(3);
      const oneOnly: ToolEnv = { home: env.home, vars: { ...env.vars, SOPS_AGE_KEY_FILE: join(s.dir, "missing-keys.txt"), VAULT_TOKEN: "not-a-valid-token" } };
      for (const c of group) {
        const dir = join(groupsDir(), [c.file.store, c.file.seed].join("-"));
        const t = typeFlags(c.file.store);
        const [theirs, ours] = await Promise.all([runSops(["decrypt", ...t, "sigil.enc"], dir, oneOnly), decryptUncached(readFileSync(join(dir, "sops.enc")), c.file.store, oneOnly)]);
        expect(theirs.code).not.toBe(0);
        expect(ours.code).toBe(theirs.code);
        expect(ours.stdout.length).toBe(0);
        const plain = c.sopsPlain.stdout.toString("utf8");
        // The secrets: words of the plaintext that the encrypted file does not show (keys and values left in clear do).
        const encrypted = readFileSync(join(dir, "sops.enc"), "utf8");
        const secrets = [...new Set([...plain.matchAll(/[A-Za-z0-9_-]{6,}/g)].map((m) => m[0]))].filter((w) => !encrypted.includes(w));
        expect(secrets.length, `${c.file.store}: the plaintext has values to look for`).toBeGreaterThan(0);
        expect(secrets.filter((v) => (ours.stderr + ours.logs.join("\n")).includes(v))).toEqual([]);
      }
    });
  }
});

function check(c: Case, file: string, theirs: RunResult, ours: RunResult): string[] {
  const where = `${c.file.store} seed ${c.file.seed} ${file}`;
  if (theirs.code !== 0) return [`${where}: sops -d exited ${theirs.code}: ${theirs.stderr.trim()}`];
  if (ours.code !== 0) return [`${where}: sigil decrypt exited ${ours.code}: ${ours.stderr.trim()}`];
  if (!theirs.stdout.equals(c.sopsPlain.stdout)) return [`${where}: sops -d printed something else than with all three providers`];
  return ours.stdout.equals(theirs.stdout) ? [] : [describeDiff(c, `${file}: sigil decrypt differs from sops -d`, theirs.stdout, ours.stdout)];
}
