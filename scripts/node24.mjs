#!/usr/bin/env node
// Runs a command under Node 24 LTS, the runtime Sigil supports.
//
//   node scripts/node24.mjs <command> [args...]
//
// When the running Node is already 24 or newer, the command runs as is. When it
// is older (many machines still ship Node 20, past its end of life), a private
// Node 24 is fetched once from the npm registry (the `node-<platform>-<arch>`
// package that the official `node` package installs) into
// ${XDG_CACHE_HOME:-~/.cache}/sigil/node/<version>/, and the command runs with
// that Node first on PATH, so every `#!/usr/bin/env node` below it uses it too.
//
// Written for any Node >= 18 and free of dependencies: it runs before
// `npm ci` has installed anything.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";

/** The pinned Node 24 LTS release fetched on older machines. */
export const NODE_VERSION = "24.22.3";
const MIN_MAJOR = 24;

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "sigil", "node", NODE_VERSION);
}

/** Absolute path of a Node >= 24 binary, fetching the pinned one if needed. */
export function node24Binary(log = (l) => process.stderr.write(l + "\n")) {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= MIN_MAJOR) return process.execPath;
  const root = cacheRoot();
  const pkg = `node-${process.platform}-${process.arch}`;
  const bin = join(root, "node_modules", pkg, "bin", process.platform === "win32" ? "node.exe" : "node");
  if (existsSync(bin)) return bin;
  log(`[setup] Node ${process.versions.node} is older than ${MIN_MAJOR}; fetching a private Node ${NODE_VERSION} (${pkg} from the npm registry) into ${root}, once`);
  mkdirSync(dirname(root), { recursive: true });
  const tmp = mkdtempSync(join(dirname(root), `.${NODE_VERSION}-`));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const res = spawnSync(npm, ["install", "--prefix", tmp, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", `${pkg}@${NODE_VERSION}`], { stdio: ["ignore", "inherit", "inherit"] });
  const tmpBin = join(tmp, "node_modules", pkg, "bin", "node");
  if (res.status !== 0 || !existsSync(tmpBin)) {
    rmSync(tmp, { recursive: true, force: true });
    log(`[setup] could not fetch Node ${NODE_VERSION} (${pkg}); install Node ${MIN_MAJOR} LTS yourself and run again`);
    process.exit(1);
  }
  rmSync(root, { recursive: true, force: true });
  renameSync(tmp, root);
  return bin;
}

function main() {
  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd) {
    process.stderr.write("usage: node scripts/node24.mjs <command> [args...]\n");
    process.exit(2);
  }
  const bin = node24Binary();
  const env = { ...process.env, PATH: dirname(bin) + delimiter + (process.env.PATH ?? "") };
  const target = cmd === "node" ? bin : cmd;
  const res = spawnSync(target, args, { stdio: "inherit", env });
  if (res.error) {
    process.stderr.write(`[setup] could not run ${cmd}: ${res.error.message}\n`);
    process.exit(127);
  }
  if (res.signal) process.kill(process.pid, res.signal);
  process.exit(res.status ?? 1);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
