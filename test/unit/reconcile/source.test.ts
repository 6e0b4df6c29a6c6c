import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyIgnore, compileIgnore, parseLsRemote, prepareAuth, resolveRef, transportOf } from "../../../src/reconcile/source/index.js";
import { rejection } from "../../support/errors.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const T = "d".repeat(40);

const LS = [
  "ref: refs/heads/main\tHEAD",
  `${A}\tHEAD`,
  `${A}\trefs/heads/main`,
  `${B}\trefs/heads/dev`,
  `${T}\trefs/tags/v1.2.0`,
  `${C}\trefs/tags/v1.2.0^{}`,
  `${B}\trefs/tags/v1.10.0`,
  `${A}\trefs/tags/v2.0.0`,
  `${A}\trefs/tags/not-semver`,
].join("\n");

describe("refs", () => {
  const refs = parseLsRemote(LS);
  it.each([
    { reason: "a branch", ref: { branch: "dev" }, revision: `dev@sha1:${B}` },
    { reason: "a tag peels to its commit", ref: { tag: "v1.2.0" }, revision: `v1.2.0@sha1:${C}` },
    { reason: "semver picks the highest match, numerically", ref: { semver: "^1.0.0" }, revision: `v1.10.0@sha1:${B}` },
    { reason: "semver across majors", ref: { semver: ">=1.0.0" }, revision: `v2.0.0@sha1:${A}` },
    { reason: "a commit", ref: { commit: C }, revision: `sha1:${C}` },
    { reason: "no ref: the default branch", ref: undefined, revision: `main@sha1:${A}` },
  ])("resolves $reason", ({ ref, revision }) => {
    expect(resolveRef(refs, ref).revision).toBe(revision);
  });

  it.each([
    { reason: "a missing branch", ref: { branch: "nope" }, code: "source.ref_not_found" },
    { reason: "a missing tag", ref: { tag: "v9" }, code: "source.ref_not_found" },
    { reason: "no tag in range", ref: { semver: "^3.0.0" }, code: "source.ref_not_found" },
    { reason: "an invalid range", ref: { semver: "not a range" }, code: "source.invalid" },
    { reason: "a short commit", ref: { commit: "abc" }, code: "source.invalid" },
  ])("refuses $reason", async ({ ref, code }) => {
    const err = await rejection(Promise.resolve().then(() => resolveRef(refs, ref)));
    expect(err).toMatchObject({ code });
  });
});

describe("transportOf", () => {
  it.each([
    ["https://git.example/a.git", "https"],
    ["ssh://git@host:22/a.git", "ssh"],
    ["git@github.com:org/a.git", "ssh"],
    ["file:///srv/a.git", "file"],
  ])("%s is %s", (url, t) => {
    expect(transportOf(url)).toBe(t);
  });
  it.each([
    { reason: "credentials in the URL", url: "https://u:hunter2@git.example/a.git" },
    { reason: "http", url: "http://git.example/a.git" },
    { reason: "an option", url: "--upload-pack=evil" },
    { reason: "a local path", url: "/srv/a.git" },
    { reason: "whitespace", url: "https://a b/c" },
  ])("refuses $reason, without echoing the URL", ({ url }) => {
    let err: unknown;
    try {
      transportOf(url);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "source.invalid" });
    expect((err as Error).message).not.toContain("hunter2");
  });
});

describe("ignore", () => {
  it.each([
    { reason: "a bare name matches at any depth", pattern: "*.md", path: "a/b/README.md", dir: false, ignored: true },
    { reason: "an anchored pattern matches only at the root", pattern: "/docs", path: "x/docs", dir: true, ignored: false },
    { reason: "an anchored pattern at the root", pattern: "/docs", path: "docs", dir: true, ignored: true },
    { reason: "a dir-only pattern skips files", pattern: "build/", path: "build", dir: false, ignored: false },
    { reason: "a dir-only pattern matches dirs", pattern: "build/", path: "a/build", dir: true, ignored: true },
    { reason: "** in the middle", pattern: "a/**/z.yaml", path: "a/b/c/z.yaml", dir: false, ignored: true },
    { reason: "** zero dirs", pattern: "a/**/z.yaml", path: "a/z.yaml", dir: false, ignored: true },
    { reason: "trailing /**", pattern: "a/**", path: "a/b/c", dir: false, ignored: true },
    { reason: "? is one character", pattern: "f?.yaml", path: "fx.yaml", dir: false, ignored: true },
    { reason: "* does not cross /", pattern: "a/*.yaml", path: "a/b/c.yaml", dir: false, ignored: false },
    { reason: "a class", pattern: "[ab].yaml", path: "b.yaml", dir: false, ignored: true },
    { reason: "a negated class", pattern: "[!ab].yaml", path: "b.yaml", dir: false, ignored: false },
    { reason: "negation re-includes", pattern: "*.yaml\n!keep.yaml", path: "keep.yaml", dir: false, ignored: false },
    { reason: "comments and blanks", pattern: "# x.yaml\n\n", path: "x.yaml", dir: false, ignored: false },
    { reason: "regex characters are literal", pattern: "a+(b).yaml", path: "a+(b).yaml", dir: false, ignored: true },
    { reason: "a dot is not a wildcard", pattern: "a.yaml", path: "abyaml", dir: false, ignored: false },
  ])("$reason", ({ pattern, path, dir, ignored }) => {
    expect(compileIgnore(pattern).ignored(path, dir)).toBe(ignored);
  });

  it("is linear-time on a pathological pattern", () => {
    const m = compileIgnore(`${"*a".repeat(200)}b`);
    const start = Date.now();
    expect(m.ignored("a".repeat(5000), false)).toBe(false);
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it("bounds the pattern count and length", () => {
    expect(() => compileIgnore("a\n".repeat(1001))).toThrow(expect.objectContaining({ code: "source.invalid" }) as Error);
    expect(() => compileIgnore("a".repeat(1025))).toThrow(expect.objectContaining({ code: "source.invalid" }) as Error);
  });

  it("deletes ignored files and directories from a checkout", async () => {
    const root = mkdtempSync(join(tmpdir(), "sigil-ignore-"));
    try {
      mkdirSync(join(root, "docs/deep"), { recursive: true });
      mkdirSync(join(root, "app"), { recursive: true });
      writeFileSync(join(root, "docs/deep/x.yaml"), "a: 1\n");
      writeFileSync(join(root, "app/a.yaml"), "a: 1\n");
      writeFileSync(join(root, "app/notes.md"), "x\n");
      await applyIgnore(root, compileIgnore("/docs\n*.md\n"));
      expect(readdirSync(root).sort()).toEqual(["app"]);
      expect(readdirSync(join(root, "app"))).toEqual(["a.yaml"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("prepareAuth", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), "sigil-auth-test-"));
    dirs.push(d);
    return d;
  };

  it("passes HTTPS basic auth as an extra header in the environment, never in a file", async () => {
    const root = tmp();
    const auth = await prepareAuth("https", { username: "u", password: "pw-canary-1" }, root);
    expect(auth.env["GIT_CONFIG_KEY_0"]).toBe("http.extraHeader");
    expect(auth.env["GIT_CONFIG_VALUE_0"]).toBe(`Authorization: Basic ${Buffer.from("u:pw-canary-1").toString("base64")}`);
    expect(readdirSync(root)).toEqual([]);
    await auth.cleanup();
  });

  it("writes the SSH key and known_hosts 0600 in a 0700 directory, and removes them", async () => {
    const root = tmp();
    const auth = await prepareAuth("ssh", { identity: "KEY", knownHosts: "host ssh-ed25519 AAAA" }, root);
    const [dir] = readdirSync(root);
    expect(dir).toBeDefined();
    const d = join(root, dir ?? "");
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(statSync(join(d, "identity")).mode & 0o777).toBe(0o600);
    expect(auth.env["GIT_SSH_COMMAND"]).toContain("StrictHostKeyChecking=yes");
    expect(auth.env["GIT_SSH_COMMAND"]).not.toContain("KEY");
    await auth.cleanup();
    expect(existsSync(d)).toBe(false);
  });

  it("refuses SSH credentials without known_hosts, leaving nothing behind", async () => {
    const root = tmp();
    await expect(prepareAuth("ssh", { identity: "KEY" }, root)).rejects.toMatchObject({ code: "source.invalid" });
    expect(readdirSync(root)).toEqual([]);
  });
});
