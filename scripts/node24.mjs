#!/usr/bin/env node
// Runs a command under Node 24 LTS, the runtime Sigil supports.
//
//   node scripts/node24.mjs <command> [args...]
//
// When the running Node is already 24 or newer, the command runs as is. When it
// is older (many machines still ship Node 20, past its end of life), a private
// Node 24 is fetched once from the npm registry (the package with the official
// binary for this platform, as the `node` package would install it) into
// ${XDG_CACHE_HOME:-~/.cache}/sigil/node/<version>/, and the command runs with
// that Node first on PATH, so every `#!/usr/bin/env node` below it uses it too.
// The decisions live in node24-lib.mjs (unit-tested).
//
// Written for any Node >= 18 and free of dependencies: it runs before
// `npm ci` has installed anything.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { FetchError, MIN_MAJOR, cacheRoot, decide, fetchNode, npmInvocation } from "./node24-lib.mjs";

const log = (line) => process.stderr.write(line + "\n");

function fail(line, status = 1) {
  log(`[setup] ${line}`);
  process.exit(status);
}

function onPath(name) {
  const exts = process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE;.CMD").split(";") : [""];
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && exts.some((ext) => existsSync(join(dir, name + ext))));
}

/** Absolute path of a Node >= 24 binary, fetching a private one if needed. */
function node24Binary() {
  const glibc = process.platform === "linux" ? process.report?.getReport?.().header?.glibcVersionRuntime : undefined;
  const plan = decide({ nodeVersion: process.versions.node, platform: process.platform, arch: process.arch, glibc, root: cacheRoot(process.env, homedir()) });
  if (plan.kind === "current") return process.execPath;
  if (plan.kind === "cached") return plan.bin;
  const why = `Node ${process.versions.node} is older than ${MIN_MAJOR}`;
  if (plan.kind === "unsupported") fail(`${why}, and no private Node ${MIN_MAJOR} can be fetched: ${plan.reason}. Install Node ${MIN_MAJOR} LTS and run again.`);
  log(`[setup] ${why}`);
  try {
    return fetchNode(plan, { npm: npmInvocation({ env: process.env, execPath: process.execPath, platform: process.platform, onPath }), log });
  } catch (err) {
    if (!(err instanceof FetchError) && !(err instanceof Error && "code" in err)) throw err;
    return fail(`could not fetch Node ${MIN_MAJOR}: ${err.message}. Install Node ${MIN_MAJOR} LTS yourself and run again.`);
  }
}

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) fail("usage: node scripts/node24.mjs <command> [args...]", 2);
const bin = node24Binary();
const env = { ...process.env, PATH: dirname(bin) + delimiter + (process.env.PATH ?? "") };
const res = spawnSync(cmd === "node" ? bin : cmd, args, { stdio: "inherit", env });
if (res.error) fail(`could not run ${cmd}: ${res.error.message}`, 127);
if (res.signal) process.kill(process.pid, res.signal);
process.exit(res.status ?? 1);
