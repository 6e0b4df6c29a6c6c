import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { describePeers, peerBin } from "../../support/peers.js";

function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(peerBin(tool), args, { encoding: "utf8", env: { ...process.env, SOPS_DISABLE_VERSION_CHECK: "1", ...env }, stdio: ["pipe", "pipe", "pipe"] });
}

describePeers("peer CLIs built from their Go modules", () => {
  const versions: [string, string[], RegExp][] = [
    ["sops", ["--version", "--disable-version-check"], /sops 3\.13\.2/],
    ["kubeseal", ["--version"], /v0\.36\.6/],
    ["kustomize", ["version"], /v5\.8\.1/],
    ["age", ["--version"], /v1\.3\.1/],
    ["kubectl", ["version", "--client"], /v1\.34\.4/],
    ["kube-apiserver", ["--version"], /v1\.34\.4/],
    ["etcd", ["--version"], /etcd Version: 3\.6\./],
    ["bao", ["version"], /OpenBao v2\.7\.2/],
  ];
  it.each(versions)("%s reports its pinned version", (tool, args, expected) => {
    expect(runTool(tool, args)).toMatch(expected);
  });

  it("sops encrypts and decrypts a file with an age key from age-keygen", () => {
    const dir = mkdtempSync(join(tmpdir(), "sigil-peer-"));
    try {
      const keyFile = join(dir, "keys.txt");
      runTool("age-keygen", ["-o", keyFile]);
      const recipient = runTool("age-keygen", ["-y", keyFile]).trim();
      expect(recipient).toMatch(/^age1[0-9a-z]{58}$/);
      const plain = join(dir, "secret.yaml");
      writeFileSync(plain, "password: hunter2-peer-test\n");
      const encrypted = runTool("sops", ["encrypt", "--age", recipient, plain]);
      expect(encrypted).not.toContain("hunter2-peer-test");
      expect(encrypted).toMatch(/ENC\[AES256_GCM,data:/);
      const enc = join(dir, "secret.enc.yaml");
      writeFileSync(enc, encrypted);
      expect(runTool("sops", ["decrypt", enc], { SOPS_AGE_KEY_FILE: keyFile })).toBe("password: hunter2-peer-test\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
