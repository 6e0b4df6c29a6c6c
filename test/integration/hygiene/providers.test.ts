/**
 * Secrets hygiene against the real key services: a KMS-wrapped file (written
 * by the real sops) opened with the wrong encryption context, and a Vault
 * transit file opened with a bad token. `sigil decrypt` runs in-process;
 * neither the plaintext canary nor any credential may reach stderr, a log
 * line (debug level), stdout or the real process streams.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it, vi } from "vitest";
import { canary, channels, expectNoLeak, runSigil, tempDir } from "../../unit/hygiene/support.js";
import type { Canary } from "../../unit/hygiene/support.js";
import { describePeers, peerBin, peers } from "../../support/peers.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** AWS credentials for local-kms, in the command's environment and (for the SDK's default chain) the process's. */
function stubAws(secretAccessKey: string): Record<string, string> {
  const p = peers();
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDSIGILHYGIENE");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", secretAccessKey);
  return { AWS_ENDPOINT_URL_KMS: p.kms.endpoint, AWS_REGION: p.kms.region, AWS_ACCESS_KEY_ID: "AKIDSIGILHYGIENE", AWS_SECRET_ACCESS_KEY: secretAccessKey };
}

/** Encrypt `plain` (YAML) with the real sops and `args`; returns the encrypted text. */
function sopsEncrypt(dir: string, plain: string, args: readonly string[], env: Record<string, string>): string {
  writeFileSync(join(dir, "plain.yaml"), plain);
  return execFileSync(peerBin("sops"), ["encrypt", ...args, "plain.yaml"], {
    cwd: dir,
    env: { PATH: process.env["PATH"] ?? "", HOME: dir, SOPS_DISABLE_VERSION_CHECK: "1", ...env },
    encoding: "utf8",
  });
}

describePeers("secrets hygiene against the real key services", () => {
  it("a KMS-wrapped file with a tampered encryption context: no plaintext and no AWS secret in any output", async () => {
    const dir = tempDir();
    const secret = canary();
    const awsSecret = canary("aws-secret");
    const p = peers();
    const env = stubAws(awsSecret.value);
    const enc = sopsEncrypt(dir, `password: ${secret.value}\n`, ["--kms", p.kms.keyArns[0] ?? "", "--encryption-context", "app:sigil,team:hygiene"], env);
    expect(enc).toContain("team: hygiene");
    writeFileSync(join(dir, "s.yaml"), enc.replace("team: hygiene", "team: intruder"));
    const run = await runSigil(["decrypt", "s.yaml"], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(128);
    expect(run.stderr).toMatch(/wrong encryption context or key/);
    expect(run.stderr).toContain(p.kms.keyArns[0] ?? "");
    expectNoLeak(channels(run), secret, awsSecret);
    // The untampered file still opens: the failure was the context, not the set-up.
    writeFileSync(join(dir, "s.yaml"), enc);
    const ok = await runSigil(["decrypt", "s.yaml"], { cwd: dir, env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`password: ${secret.value}\n`);
    expectNoLeak(channels(ok, false), awsSecret);
  });

  it("a Vault transit file opened with a bad token: no plaintext and neither token in any output", async () => {
    const dir = tempDir();
    const secret = canary();
    const badToken: Canary = canary("hvs");
    const p = peers();
    const uri = `${p.vault.addr}/v1/${p.vault.transitMount}/keys/${p.vault.transitKey}`;
    writeFileSync(join(dir, "s.yaml"), `password: ${secret.value}\nnested:\n    api_key: ${secret.value}-2\n`);
    const enc = await runSigil(["encrypt", "-i", "--hc-vault-transit", uri, "s.yaml"], { cwd: dir, env: { VAULT_TOKEN: p.vault.token } });
    expect(enc.code, enc.stderr).toBe(0);
    expect(readFileSync(join(dir, "s.yaml"), "utf8")).toContain("vault:v");
    const run = await runSigil(["decrypt", "s.yaml"], { cwd: dir, env: { VAULT_TOKEN: badToken.value } });
    expect(run.code, run.stderr).toBe(128);
    expect(run.stderr).toMatch(/access denied|permission denied/);
    const goodToken: Canary = { value: p.vault.token, cores: [] };
    expectNoLeak(channels(run), secret, badToken, goodToken);
    // And --extract with the right token prints only the value asked for, nothing in the logs.
    const ok = await runSigil(["decrypt", "--extract", '["nested"]["api_key"]', "s.yaml"], { cwd: dir, env: { VAULT_TOKEN: p.vault.token } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`${secret.value}-2`);
    expectNoLeak(channels(ok, false), secret, goodToken);
  });

  it("a Vault transit key renamed to one that does not exist: the error names the key, not the plaintext", async () => {
    const dir = tempDir();
    const secret = canary();
    const p = peers();
    const uri = `${p.vault.addr}/v1/${p.vault.transitMount}/keys/${p.vault.transitKey}`;
    writeFileSync(join(dir, "s.yaml"), `password: ${secret.value}\n`);
    expect((await runSigil(["encrypt", "-i", "--hc-vault-transit", uri, "s.yaml"], { cwd: dir, env: { VAULT_TOKEN: p.vault.token } })).code).toBe(0);
    const enc = readFileSync(join(dir, "s.yaml"), "utf8");
    writeFileSync(join(dir, "s.yaml"), enc.replace(`key_name: ${p.vault.transitKey}`, "key_name: no-such-key"));
    const run = await runSigil(["decrypt", "s.yaml"], { cwd: dir, env: { VAULT_TOKEN: p.vault.token } });
    expect(run.code, run.stderr).toBe(128);
    expect(run.stderr).toContain("no-such-key");
    expectNoLeak(channels(run), secret, { value: p.vault.token, cores: [] });
  });
});
