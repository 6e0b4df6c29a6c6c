/**
 * Minimal inputs for the differences the differential tests found between
 * sigil and the real sops 3.13.2 (test/integration/sops/differential*.test.ts),
 * one test each. Fixed bugs stay here as regression tests; bugs not fixed yet
 * are `it.fails` with a comment naming the bug; differences that are sops'
 * own bugs are asserted as they are and documented in
 * docs/sops-compatibility.md ("Differential testing").
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { describePeers, peers } from "../../support/peers.js";
import { FIXTURE_AGE_KEY_FILE, ageRecipientOf, peerKeyEnv, runSigil, runSops, scratchDir } from "../../support/sops-peer.js";
import type { RunResult, ToolEnv } from "../../support/sops-peer.js";

interface Both {
  readonly dir: string;
  readonly sopsEnc: RunResult;
  readonly sigilEnc: RunResult;
}

describePeers("differential regressions: minimal inputs where sigil and sops disagreed", () => {
  let s: ReturnType<typeof scratchDir>;
  let env: ToolEnv;
  let recipient: string;
  let n = 0;

  beforeAll(() => {
    s = scratchDir();
    env = { home: s.dir, vars: { SOPS_AGE_KEY_FILE: FIXTURE_AGE_KEY_FILE } };
    recipient = ageRecipientOf(FIXTURE_AGE_KEY_FILE);
  });
  afterAll(() => {
    s.cleanup();
  });

  /** Encrypt `text` (as `name`) with both tools; the encrypted files are kept as sops.enc / sigil.enc when written. */
  async function encryptBoth(name: string, text: string): Promise<Both> {
    const dir = join(s.dir, `case-${n++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, name), text);
    const [sopsEnc, sigilEnc] = await Promise.all([runSops(["encrypt", "--age", recipient, name], dir, env), runSigil(["encrypt", "--age", recipient, name], dir, env)]);
    if (sopsEnc.code === 0) writeFileSync(join(dir, `sops.enc${ext(name)}`), sopsEnc.stdout);
    if (sigilEnc.code === 0) writeFileSync(join(dir, `sigil.enc${ext(name)}`), sigilEnc.stdout);
    return { dir, sopsEnc, sigilEnc };
  }

  const ext = (name: string) => name.slice(name.lastIndexOf("."));

  // ------------------------------------------------------------ fixed

  it("keeps a YAML float literal beyond float64 (1e400) a string, as go-yaml does, in both directions", async () => {
    const b = await encryptBoth("f.yaml", "a: 1e400\nb_unencrypted: -2e999\n");
    expect(b.sopsEnc.code).toBe(0);
    expect(b.sigilEnc.code).toBe(0);
    expect(b.sigilEnc.stdout.toString()).toMatch(/^a: ENC\[[^\]]*type:str\]\nb_unencrypted: -2e999\n/);
    const [sopsPlain, sigilOfSops, sopsOfSigil] = await Promise.all([
      runSops(["decrypt", "sops.enc.yaml"], b.dir, env),
      runSigil(["decrypt", "sops.enc.yaml"], b.dir, env),
      runSops(["decrypt", "sigil.enc.yaml"], b.dir, env),
    ]);
    expect(sopsPlain.stdout.toString()).toBe("a: 1e400\nb_unencrypted: -2e999\n");
    expect(sigilOfSops.stdout.toString()).toBe(sopsPlain.stdout.toString());
    expect(sopsOfSigil.stdout.toString()).toBe(sopsPlain.stdout.toString());
  });

  it("refuses a JSON number beyond float64 (1e400) as sops does, instead of writing +Inf that sops cannot read", async () => {
    const b = await encryptBoth("f.json", '{"a": 1e400}');
    expect(b.sopsEnc.code).not.toBe(0);
    expect(b.sigilEnc.code).not.toBe(0);
    expect(b.sigilEnc.stderr).toContain("f.json");
    expect(b.sigilEnc.stderr).toContain("[decrypt.parse_failed]");
  });

  it("refuses a YAML file with a raw control character (U+0007, U+007F) as sops does, naming the file and line", async () => {
    for (const text of ["a: 1\nb: 'bell\u0007'\n", "a: \"del\u007f\"\n"]) {
      const b = await encryptBoth("c.yaml", text);
      expect(b.sopsEnc.stderr).toContain("control characters are not allowed");
      expect(b.sigilEnc.code).toBe(1);
      expect(b.sigilEnc.stderr).toMatch(/c\.yaml: invalid YAML at line \d+, column \d+: control characters are not allowed \[decrypt\.parse_failed\]/);
    }
  });

  it("reads a YAML document whose top-level mapping is a flow mapping ({a: 1}) as sops does", async () => {
    const b = await encryptBoth("m.yaml", "{a: 1, b: [x, y]}\n");
    expect(b.sopsEnc.code).toBe(0);
    expect(b.sigilEnc.code).toBe(0);
    const [theirs, ours] = await Promise.all([runSops(["decrypt", "sigil.enc.yaml"], b.dir, env), runSops(["decrypt", "sops.enc.yaml"], b.dir, env)]);
    expect(theirs.stdout.toString()).toBe(ours.stdout.toString());
  });

  /**
   * Regression: YAML comment attachment after a dedent. go-yaml v3 attaches
   * the comments between a nested block's last line and a less-indented line
   * by its own rule (groups by column; each closing block ends before the
   * earliest comment at its indent; see src/decrypt/sops/stores/yaml-comments.ts);
   * sigil's reader attached them to the block whose indentation each comment
   * reaches. The AAD differed, so `sops -d` of sigil's file left such a
   * comment encrypted. Fixed: the reader follows go-yaml's rule.
   */
  const dedentComments: readonly { readonly reason: string; readonly text: string }[] = [
    { reason: "comment at the parent's column after a nested map", text: "l:\n  a:\n    x: 1\n  # foot\ng: 1\n" },
    { reason: "comment at a middle column after two nested maps", text: "l:\n  a:\n    b:\n      x: 1\n    # foot\ng: 1\n" },
    { reason: "comment followed by a key one level up", text: "l:\n  a:\n    b:\n      x: 1\n    # foot\n  z: 1\ng: 1\n" },
    { reason: "comment after a list of maps", text: "l:\n  - x: 1\n    y: 2\n  # foot\ng: 1\n" },
    { reason: "comment after a list of maps inside a map", text: "l:\n  a:\n    - x: 1\n      y: 2\n    # foot\ng: 1\n" },
    { reason: "a root-column comment, then one at the parent's column", text: "l:\n  a:\n    x: 1\n# f0\n  # f2\ng: 1\n" },
    { reason: "one comment at each closing block's column, innermost first", text: "l:\n  a:\n    x: 1\n    # f4\n  # f2\n# f0\ng: 1\n" },
    { reason: "a deeper comment right after one at the parent's column joins it", text: "l:\n  a:\n    x: 1\n    # f4\n  # f2\n    # f4b\n# f0\ng: 1\n" },
    { reason: "a comment at the middle block's column after one at the outer column", text: "l:\n  a:\n    b:\n      x: 1\n  # f2\n    # f4\n# f0\ng: 1\n" },
    { reason: "a closing block ends before its column's earliest comment", text: "l:\n  a:\n    b:\n      x: 1\n  # f2\n    # f4\n  # f2b\n# f0\n  # f2c\ng: 1\n" },
    { reason: "a group that ends a list goes to the block holding the list", text: "l:\n  - x: 1\n# f0\n  # f2\ng: 1\n" },
    { reason: "a list ends before the comment at its indent, inside a map", text: "m:\n  l:\n    - x: 1\n  # f2\n    # f4\ng: 1\n" },
  ];
  for (const { reason, text } of dedentComments) {
    it(`sops -d of sigil's file places a comment after a nested block where sops' own file has it (${reason})`, async () => {
      const b = await encryptBoth("d.yaml", text);
      const [theirs, crossed] = await Promise.all([runSops(["decrypt", "sops.enc.yaml"], b.dir, env), runSops(["decrypt", "sigil.enc.yaml"], b.dir, env)]);
      expect(theirs.code).toBe(0);
      expect(crossed.stdout.toString()).toBe(theirs.stdout.toString());
    });
  }

  // ------------------------------------------------------------ sops' own bugs, reproduced as they are

  it("JSON -0.0 left in clear: sops fails its own MAC check (written as -0, read back as 0); sigil fails the same way with the same MAC", async () => {
    const b = await encryptBoth("z.json", '{"a_unencrypted": -0.0, "b": 1}');
    const [theirs, ours, crossed] = await Promise.all([
      runSops(["decrypt", "sops.enc.json"], b.dir, env),
      runSigil(["decrypt", "sops.enc.json"], b.dir, env),
      runSops(["decrypt", "sigil.enc.json"], b.dir, env),
    ]);
    expect([theirs.code, ours.code, crossed.code]).toEqual([51, 51, 51]);
    const mac = (r: RunResult) => /File has ([0-9A-F]{128})/.exec(r.stderr)?.[1];
    expect(mac(crossed)).toBeDefined();
    expect(mac(crossed)).toBe(mac(theirs));
  });

  it("an empty comment in a YAML list becomes an empty-string item when sops decrypts; sigil prints the same", async () => {
    const b = await encryptBoth("e.yaml", "a:\n  - x #\n  - y\n");
    const [theirs, ours, crossed] = await Promise.all([
      runSops(["decrypt", "sops.enc.yaml"], b.dir, env),
      runSigil(["decrypt", "sops.enc.yaml"], b.dir, env),
      runSops(["decrypt", "sigil.enc.yaml"], b.dir, env),
    ]);
    expect(theirs.stdout.toString()).toBe('a:\n    - ""\n    - x\n    - "y"\n');
    expect(ours.stdout.toString()).toBe(theirs.stdout.toString());
    expect(crossed.stdout.toString()).toBe(theirs.stdout.toString());
  });

  // ------------------------------------------------------------ fixed (key providers)

  /**
   * Regression: the KMS provider took AWS credentials from the AWS SDK's
   * default chain, which reads the process environment, not the environment
   * given to `buildProviderRegistry` (the CLI context's). Fixed: static
   * credentials in the given environment are used for keys without a profile.
   */
  it("sigil encrypt --kms uses the AWS credentials of the CLI context's environment", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
    try {
      const dir = join(s.dir, `case-${n++}`);
      mkdirSync(dir);
      writeFileSync(join(dir, "k.yaml"), "a: 1\n");
      const withKms: ToolEnv = { home: s.dir, vars: { ...env.vars, ...peerKeyEnv() } };
      const r = await runSigil(["encrypt", "--kms", peers().kms.keyArns[0] ?? "", "k.yaml"], dir, withKms);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
