/**
 * What deploy/Containerfile does, short of building an image (no container
 * engine here): the CLI bundle built, `npm pack`, the tarball installed with
 * `npm install --omit=dev` (from npm's cache where it can: on a fresh machine `npm ci` cached the tarballs but not the registry metadata an install of a range needs), and the installed
 * `sigil operator --help` run, naming every flag deploy/deployment.yaml
 * passes; the installed package carries deploy/ and crds/, and `kustomize
 * build` of the installed deploy/ gives the same objects as the checkout's.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePeers } from "../../support/peers.js";
import { buildDeploy, find } from "./support.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

describePeers("the npm package the Containerfile installs", () => {
  let dir = "";
  const installed = (): string => join(dir, "inst", "node_modules", "sigil");

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sigil-pack-"));
    const pkg = join(dir, "pkg");
    mkdirSync(pkg);
    for (const f of ["package.json", "bin", "crds", "deploy"]) cpSync(join(ROOT, f), join(pkg, f), { recursive: true });
    const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build-cli.mjs"), "--outdir", join(pkg, "dist", "bundle")], { encoding: "utf8", cwd: ROOT });
    expect(build.status, build.stderr).toBe(0);
    const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], { cwd: pkg, encoding: "utf8" });
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz")) ?? "";
    const install = spawnSync("npm", ["install", "--prefix", join(dir, "inst"), "--prefer-offline", "--omit=dev", "--no-audit", "--no-fund", join(dir, tgz)], { encoding: "utf8" });
    expect(install.status, install.stderr).toBe(0);
  }, 300_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs `sigil operator --help` from the installed package, naming every flag the Deployment passes", () => {
    const run = spawnSync(join(dir, "inst", "node_modules", ".bin", "sigil"), ["operator", "--help"], { encoding: "utf8", env: { PATH: `${process.execPath.replace(/\/node$/, "")}:/usr/bin:/bin`, HOME: dir } });
    expect(run.status, run.stderr).toBe(0);
    const deployment = find(buildDeploy(), "Deployment", "sigil-operator") as { spec?: { template: { spec: { containers: { args: string[] }[] } } } };
    const args = deployment.spec?.template.spec.containers[0]?.args ?? [];
    expect(args[0]).toBe("operator");
    for (const flag of args.slice(1).map((a) => a.split("=")[0] ?? "")) expect(run.stdout).toContain(`${flag} `);
  });

  it("ships deploy/ and crds/, and the installed deploy/ builds to the same objects", () => {
    const fromPackage = buildDeploy(join(installed(), "deploy"));
    expect(JSON.stringify(fromPackage)).toBe(JSON.stringify(buildDeploy()));
  });
});
