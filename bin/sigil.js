#!/usr/bin/env node
// The `sigil` command.
//
// Installed (from `npm pack`: no src/ next to dist/), it runs the bundled CLI
// in dist/bundle/ (or a command's one-command bundle there) with Node's
// module compile cache on, so that a call costs little more than starting
// Node (docs/benchmarks.md, start-up).
// In a development checkout, it runs the TypeScript sources through tsx (the
// slow development form), so a stale build can never shadow the code being
// worked on.
//
// Built-in modules come from process.getBuiltinModule(), not `import`: an
// imported built-in gets an ES module facade that loads much more of Node
// than is used (see scripts/build-cli.mjs), and a named import of something a
// too-old Node lacks would fail before the version check below could explain.

const MIN_NODE_MAJOR = 24;
const major = Number(process.versions.node.split(".")[0]);
if (!(major >= MIN_NODE_MAJOR)) {
  process.stderr.write(`sigil: Node ${process.versions.node} is not supported: Sigil runs on Node ${MIN_NODE_MAJOR} LTS or newer (install it, or run \`npm run sigil --\` from a checkout, which fetches a private Node ${MIN_NODE_MAJOR}) [runtime.unsupported]\n`);
  process.exit(1);
}

const { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } = process.getBuiltinModule("node:fs");
const { createRequire, enableCompileCache } = process.getBuiltinModule("node:module");
const { dirname, join, resolve } = process.getBuiltinModule("node:path");
const src = new URL("../src/cli/main.ts", import.meta.url);
const bundle = new URL("../dist/bundle/sigil.js", import.meta.url);
if (existsSync(src)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(src.href);
} else if (existsSync(bundle)) {
  // A command that tools call once per file has a one-command bundle of its
  // own (scripts/build-cli.mjs, src/cli/solo.ts): one script to load, not the
  // shared build's twenty-odd chunks. Only when its name comes first.
  const first = process.argv[2] ?? "";
  const solo = /^[a-z]+$/.test(first) ? join(import.meta.dirname, "..", "dist", "bundle", `solo-${first}.cjs`) : undefined;
  if (solo !== undefined && existsSync(solo)) {
    runScript(solo, `solo-${first}`);
  } else {
    // Compiled code of the bundle is cached (in $NODE_COMPILE_CACHE, else the
    // system's temporary directory) and reused by the next call.
    enableCompileCache();
    await import(bundle.href);
  }
} else {
  process.stderr.write(`sigil: ${decodeURIComponent(bundle.pathname)} is missing: this copy of Sigil was packed without its build (run \`npm run build:cli\` before \`npm pack\`) [runtime.incomplete]\n`);
  process.exit(1);
}

/**
 * Run a one-command bundle (a CommonJS-style script) with a V8 code cache.
 * Node's module compile cache holds a module's code as compiled before it
 * runs, which is little more than its top level: every function a command
 * calls is compiled again on each call (about a fifth of `sigil decrypt`).
 * This cache is made after a successful run instead, so it holds them all.
 * It lives in $NODE_COMPILE_CACHE/sigil, else $XDG_CACHE_HOME/sigil/code-cache
 * or ~/.cache/sigil/code-cache (none with NODE_DISABLE_COMPILE_CACHE set). It
 * is keyed by the bundle's build digest (its first line), Node's version and
 * the platform; V8 refuses a cache made under other flags, and it is then
 * made again. It is only read from, and written to, a folder of this user's
 * that nobody else may write to (docs/security.md). V8 code caches hold
 * compiled code and the source's literals, never values a run computed.
 */
function runScript(file, name) {
  const vm = process.getBuiltinModule("node:vm");
  const source = readFileSync(file, "utf8");
  const cache = codeCachePath(source, name);
  const cachedData = cache === undefined ? undefined : readCache(cache);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  if (cache !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    process.once("exit", (code) => {
      if (code === 0) writeCache(cache, script.createCachedData(), name);
    });
  }
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}

/** Where the code cache of this build of bundle `name` is kept; undefined: none. */
function codeCachePath(source, name) {
  const header = "//sigil-build:";
  const id = source.startsWith(header) ? source.slice(header.length, source.indexOf("\n")) : "";
  if (process.env.NODE_DISABLE_COMPILE_CACHE || !/^[0-9a-f]{32}$/.test(id)) return undefined;
  const home = process.env.XDG_CACHE_HOME || (process.env.HOME ? join(process.env.HOME, ".cache") : "");
  const dir = process.env.NODE_COMPILE_CACHE ? resolve(process.env.NODE_COMPILE_CACHE, "sigil") : home ? resolve(home, "sigil", "code-cache") : undefined;
  if (dir === undefined) return undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || (process.getuid !== undefined && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) return undefined;
  } catch {
    return undefined;
  }
  return join(dir, `${name}-${id}-${process.version}-${process.platform}-${process.arch}.v8`);
}

/** The cache at `path` if it is a regular file of this user's (never through a link); else undefined. */
function readCache(path) {
  let fd;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || (process.getuid !== undefined && st.uid !== process.getuid()) || st.size > 64 * 1024 * 1024) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Replace the cache at `path` (0600, atomically), and keep at most three
 * caches of this bundle's other builds (other installs of Sigil in use),
 * dropping the oldest. Best effort: a cache that cannot be written is none.
 */
function writeCache(path, data, name) {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: 0o600, flag: "wx" });
    renameSync(tmp, path);
    const dir = dirname(path);
    const others = readdirSync(dir)
      .filter((f) => f.startsWith(`${name}-`) && f.endsWith(".v8") && join(dir, f) !== path)
      .map((f) => ({ f, t: lstatSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of others.slice(3)) unlinkSync(join(dir, f));
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was left
    }
  }
}
