/**
 * The packaged CLI (bin/sigil.js running dist/bundle, as installed from
 * `npm pack`) against the real sops, AWS KMS (local-kms) and Vault transit
 * (OpenBao). `sigil decrypt` and `sigil encrypt` run from their one-command
 * bundles, scripts compiled by node:vm in which every SDK is require()d on
 * first use: the differential suites run the CLI in-process from the sources
 * and would not see a bundling mistake there.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildPackagedCli } from "../../support/packaged-cli.js";
import type { PackagedCli } from "../../support/packaged-cli.js";
import { describePeers, peerBin, peers } from "../../support/peers.js";
import { FIXTURE_AGE_KEY_FILE, ageRecipientOf, peerKeyEnv, scratchDir, vaultTransitUri } from "../../support/sops-peer.js";

const PLAIN = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: packaged\ndata:\n    password: aHVudGVyMg==\n    token: c2VjcmV0LXRva2Vu\n";

describePeers("the packaged CLI's one-command bundles, against sops, KMS and OpenBao", () => {
  let cli: PackagedCli;
  let s: ReturnType<typeof scratchDir>;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    cli = buildPackagedCli();
    s = scratchDir("sigil-packaged-");
    env = {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: s.dir,
      NODE_COMPILE_CACHE: join(s.dir, "compile-cache"),
      SOPS_DISABLE_VERSION_CHECK: "1",
      SOPS_AGE_KEY_FILE: FIXTURE_AGE_KEY_FILE,
      ...peerKeyEnv(),
    };
  }, 120_000);
  afterAll(() => {
    cli.remove();
    s.cleanup();
  });

  const sops = (args: readonly string[]) => spawnSync(peerBin("sops"), args, { env, encoding: "utf8", cwd: s.dir });
  const sigil = (args: readonly string[]) => spawnSync(process.execPath, [cli.bin, ...args], { env, encoding: "utf8", cwd: s.dir });
  /** The key flags of each kind (the same for both tools). */
  const keyFlags = (kind: string): string[] => {
    if (kind === "age") return ["--age", ageRecipientOf(FIXTURE_AGE_KEY_FILE)];
    if (kind === "kms") return ["--kms", peers().kms.keyArns[0] ?? ""];
    return ["--hc-vault-transit", vaultTransitUri()];
  };

  it.each(["age", "kms", "vault transit"])("decrypts what sops encrypted with %s, as sops -d does, and sops decrypts what it encrypts", (kind) => {
    const key = { sops: keyFlags(kind), sigil: keyFlags(kind) };
    const plain = join(s.dir, `plain-${kind.replace(" ", "-")}.yaml`);
    writeFileSync(plain, PLAIN);
    const bySops = sops(["encrypt", ...key.sops, "--encrypted-regex", "^data$", plain]);
    expect(bySops.status, bySops.stderr).toBe(0);
    const sopsFile = join(s.dir, `sops-${kind.replace(" ", "-")}.yaml`);
    writeFileSync(sopsFile, bySops.stdout);
    // Twice: the second run takes the code cache the first one made.
    for (const round of [1, 2]) {
      const dec = sigil(["decrypt", sopsFile]);
      expect(dec.status, `round ${round}: ${dec.stderr}`).toBe(0);
      expect(dec.stdout).toBe(sops(["-d", sopsFile]).stdout);
      expect(dec.stdout).toBe(PLAIN);
    }
    const bySigil = sigil(["encrypt", ...key.sigil, "--encrypted-regex", "^data$", plain]);
    expect(bySigil.status, bySigil.stderr).toBe(0);
    expect(bySigil.stdout).not.toContain("aHVudGVyMg==");
    const sigilFile = join(s.dir, `sigil-${kind.replace(" ", "-")}.yaml`);
    writeFileSync(sigilFile, bySigil.stdout);
    const back = sops(["-d", sigilFile]);
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout).toBe(PLAIN);
    // Both ran from their one-command bundles (each keeps its code cache).
    const cached = readdirSync(join(s.dir, "compile-cache", "sigil"));
    expect(cached.some((f) => f.startsWith("solo-decrypt-"))).toBe(true);
    expect(cached.some((f) => f.startsWith("solo-encrypt-"))).toBe(true);
  });

  it("decrypts a file with age, KMS and Vault transit keys when only KMS can open it", () => {
    const plain = join(s.dir, "plain-all.yaml");
    writeFileSync(plain, PLAIN);
    const bySops = sops(["encrypt", ...keyFlags("age"), ...keyFlags("kms"), ...keyFlags("vault transit"), plain]);
    expect(bySops.status, bySops.stderr).toBe(0);
    const file = join(s.dir, "sops-all.yaml");
    writeFileSync(file, bySops.stdout);
    const onlyKms = spawnSync(process.execPath, [cli.bin, "decrypt", file], { env: { ...env, SOPS_AGE_KEY_FILE: join(s.dir, "no-such-key.txt"), VAULT_TOKEN: "not-a-token" }, encoding: "utf8", cwd: s.dir });
    expect(onlyKms.status, onlyKms.stderr).toBe(0);
    expect(onlyKms.stdout).toBe(PLAIN);
  });
});
