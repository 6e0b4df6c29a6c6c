import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { afterEach, expect, it } from "vitest";
import { createRepo, gitEnv, sshCommand } from "../../support/git.js";
import { describePeers, peers, uniqueName } from "../../support/peers.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "sigil-git-test-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

describePeers("git servers (real git over HTTPS, SSH and file://)", () => {
  it("clones over HTTPS with basic auth and pushes back", async () => {
    const env = peers();
    const repo = createRepo(uniqueName("https"), { "app/config.yaml": "a: 1\n" });
    const dir = tempDir();
    const git = simpleGit().env(gitEnv({ GIT_SSL_CAINFO: env.git.caFile }));
    await git.clone(withCredentials(repo.httpsUrl, env.git.user, env.git.password), dir);
    expect(readFileSync(join(dir, "app/config.yaml"), "utf8")).toBe("a: 1\n");
    writeFileSync(join(dir, "b.txt"), "b\n");
    const work = simpleGit(dir).env(gitEnv({ GIT_SSL_CAINFO: env.git.caFile }));
    await work.addConfig("user.email", "t@sigil.invalid").addConfig("user.name", "t");
    await work.add("b.txt").commit("add b");
    await work.push("origin", "main");
    const log = await simpleGit(repo.path).log(["main"]);
    expect(log.latest?.message).toBe("add b");
  });

  it("refuses a wrong HTTPS password", async () => {
    const env = peers();
    const repo = createRepo(uniqueName("https-bad"), { "x.yaml": "x: 1\n" });
    const git = simpleGit().env(gitEnv({ GIT_SSL_CAINFO: env.git.caFile }));
    await expect(git.clone(withCredentials(repo.httpsUrl, env.git.user, "wrong-password"), tempDir())).rejects.toThrow(/Authentication failed|401|could not read Username/);
  });

  it("refuses an HTTPS server whose certificate is not trusted", async () => {
    const env = peers();
    const repo = createRepo(uniqueName("https-ca"), { "x.yaml": "x: 1\n" });
    const git = simpleGit().env(gitEnv({ GIT_SSL_CAINFO: "/etc/ssl/certs/ca-certificates.crt" }));
    await expect(git.clone(withCredentials(repo.httpsUrl, env.git.user, env.git.password), tempDir())).rejects.toThrow(/certificate|SSL/i);
  });

  it("clones over SSH with a key and a known_hosts file", async () => {
    const repo = createRepo(uniqueName("ssh"), { "k.yaml": "k: v\n" });
    const dir = tempDir();
    await simpleGit({ unsafe: { allowUnsafeSshCommand: true } }).env(gitEnv({ GIT_SSH_COMMAND: sshCommand() })).clone(repo.sshUrl, dir);
    expect(readFileSync(join(dir, "k.yaml"), "utf8")).toBe("k: v\n");
  });

  it("refuses an SSH server whose host key is unknown", async () => {
    const repo = createRepo(uniqueName("ssh-unknown"), { "k.yaml": "k: v\n" });
    const emptyKnownHosts = join(tempDir(), "known_hosts");
    writeFileSync(emptyKnownHosts, "");
    const git = simpleGit({ unsafe: { allowUnsafeSshCommand: true } }).env(gitEnv({ GIT_SSH_COMMAND: sshCommand(emptyKnownHosts) }));
    await expect(git.clone(repo.sshUrl, tempDir())).rejects.toThrow(/Host key verification failed/);
  });

  it("clones a plain file:// repository", async () => {
    const repo = createRepo(uniqueName("file"), { "f.yaml": "f: 1\n" });
    const dir = tempDir();
    await simpleGit().clone(repo.fileUrl, dir);
    expect(readFileSync(join(dir, "f.yaml"), "utf8")).toBe("f: 1\n");
  });
});
