/**
 * Fetching from the environment's real git servers over HTTPS (basic auth,
 * CA), SSH (key + known_hosts) and file://, with branch, tag, semver and
 * commit refs. A wrapper `git` on PATH records every argv, to show that no
 * credential is ever passed on a command line.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { defaultSourceOptions, fetchSource } from "../../../src/reconcile/source/index.js";
import type { SourceOptions } from "../../../src/reconcile/source/index.js";
import { createRepo } from "../../support/git.js";
import type { TestRepo } from "../../support/git.js";
import { describePeers, peers, uniqueName } from "../../support/peers.js";

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@sigil.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@sigil.invalid" };

function commitTo(repo: TestRepo, files: Record<string, string>, tag?: string): string {
  const work = mkdtempSync(join(tmpdir(), "sigil-commit-"));
  try {
    execFileSync("git", ["clone", "-q", repo.path, work], { env: GIT_ENV });
    for (const [f, c] of Object.entries(files)) writeFileSync(join(work, f), c);
    execFileSync("git", ["add", "-A"], { cwd: work, env: GIT_ENV });
    execFileSync("git", ["commit", "-qm", "change"], { cwd: work, env: GIT_ENV });
    if (tag !== undefined) execFileSync("git", ["tag", tag], { cwd: work, env: GIT_ENV });
    execFileSync("git", ["push", "-q", "origin", "main", "--tags"], { cwd: work, env: GIT_ENV });
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: work, encoding: "utf8" }).trim();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describePeers("fetching from real git servers", () => {
  let root: string;
  let opts: Partial<SourceOptions>;
  let argvLog: string;
  let repo: TestRepo;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "sigil-source-it-"));
    const bin = join(root, "bin");
    execFileSync("mkdir", ["-p", bin, join(root, "tmp")]);
    argvLog = join(root, "argv.log");
    const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    writeFileSync(join(bin, "git"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${realGit}' "$@"\n`);
    chmodSync(join(bin, "git"), 0o755);
    const base = defaultSourceOptions();
    opts = { cacheDir: join(root, "cache"), tmpDir: join(root, "tmp"), env: { ...base.env, PATH: `${bin}:${base.env["PATH"] ?? ""}` } };
    repo = createRepo(uniqueName("src"), { "app/a.yaml": "a: 1\n", "docs/x.md": "x\n" });
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("fetches over HTTPS with basic auth and ca.crt; the password is in no argv, and no .git is kept", async () => {
    const env = peers();
    const password = env.git.password;
    const a = await fetchSource({ url: repo.httpsUrl, ref: { branch: "main" }, credentials: { username: env.git.user, password, caCrt: readFileSync(env.git.caFile, "utf8") } }, opts);
    expect(a.revision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    expect(readFileSync(join(a.dir, "app/a.yaml"), "utf8")).toBe("a: 1\n");
    expect(existsSync(join(a.dir, ".git"))).toBe(false);
    const argv = readFileSync(argvLog, "utf8");
    expect(argv).toContain("fetch");
    expect(argv).not.toContain(password);
    expect(argv).not.toContain(Buffer.from(`${env.git.user}:${password}`).toString("base64"));
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
  });

  it("refuses a wrong HTTPS password with source.auth_failed", async () => {
    const env = peers();
    await expect(fetchSource({ url: repo.httpsUrl, credentials: { username: env.git.user, password: "wrong-canary-pw", caCrt: readFileSync(env.git.caFile, "utf8") } }, opts)).rejects.toMatchObject({ code: "source.auth_failed" });
  });

  it("refuses an HTTPS server its CA does not vouch for", async () => {
    const env = peers();
    await expect(fetchSource({ url: repo.httpsUrl, credentials: { username: env.git.user, password: env.git.password } }, opts)).rejects.toMatchObject({ code: "source.fetch_failed", message: expect.stringMatching(/certificate/) as string });
  });

  it("fetches over SSH with identity and known_hosts, and removes the key file after", async () => {
    const env = peers();
    const a = await fetchSource({ url: repo.sshUrl, credentials: { identity: readFileSync(env.git.sshKey, "utf8"), knownHosts: readFileSync(env.git.knownHosts, "utf8") } }, opts);
    expect(a.revision).toMatch(/^main@sha1:/);
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
  });

  it("refuses an SSH host key that does not match known_hosts", async () => {
    const env = peers();
    const other = "[127.0.0.1]:1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n";
    const knownHosts = readFileSync(env.git.knownHosts, "utf8").split("\n").map((l) => (l.trim() === "" ? l : `${l.split(" ")[0] ?? ""} ${other.split(" ").slice(1).join(" ").trim()}`)).join("\n");
    await expect(fetchSource({ url: repo.sshUrl, credentials: { identity: readFileSync(env.git.sshKey, "utf8"), knownHosts } }, opts)).rejects.toMatchObject({ code: "source.host_key_mismatch" });
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
  });

  it("follows branch, tag, semver and commit refs over file://, and applies spec.ignore", async () => {
    const r = createRepo(uniqueName("refs"), { "v.yaml": "v: 0\n" });
    const c1 = commitTo(r, { "v.yaml": "v: 1\n" }, "v1.0.0");
    const c2 = commitTo(r, { "v.yaml": "v: 2\n", "n.md": "n\n" }, "v1.1.0");
    commitTo(r, { "v.yaml": "v: 3\n" }, "v2.0.0");
    const read = async (ref: Record<string, string>): Promise<string> => readFileSync(join((await fetchSource({ url: r.fileUrl, ref }, opts)).dir, "v.yaml"), "utf8");
    expect(await read({ branch: "main" })).toBe("v: 3\n");
    expect(await read({ tag: "v1.0.0" })).toBe("v: 1\n");
    expect(await read({ semver: "~1.0.0 || ^1.0.0" })).toBe("v: 2\n");
    expect(await read({ commit: c1 })).toBe("v: 1\n");
    const ignored = await fetchSource({ url: r.fileUrl, ref: { commit: c2 }, ignore: "*.md\n" }, opts);
    expect(ignored.revision).toBe(`sha1:${c2}`);
    expect(readdirSync(ignored.dir)).toEqual(["v.yaml"]);
  });

  it("gives a cached revision without fetching again", async () => {
    const r = createRepo(uniqueName("cache"), { "a.yaml": "a: 1\n" });
    const first = await fetchSource({ url: r.fileUrl }, opts);
    const second = await fetchSource({ url: r.fileUrl }, opts);
    expect([first.cached, second.cached]).toEqual([false, true]);
    expect(second.dir).toBe(first.dir);
  });

  it("reports an unreachable repository and a missing commit, leaving no partial checkout", async () => {
    await expect(fetchSource({ url: `file://${join(root, "nope.git")}` }, opts)).rejects.toMatchObject({ code: "source.fetch_failed" });
    await expect(fetchSource({ url: repo.fileUrl, ref: { commit: "1".repeat(40) } }, opts)).rejects.toMatchObject({ code: "source.ref_not_found" });
    for (const d of readdirSync(join(root, "cache"))) expect(readdirSync(join(root, "cache", d)).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
  });

  it("times out", async () => {
    await expect(fetchSource({ url: repo.httpsUrl, timeoutMs: 1, credentials: { username: "u", password: "p" } }, opts)).rejects.toMatchObject({ code: "source.timeout" });
  });
});
