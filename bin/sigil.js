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

const { existsSync } = process.getBuiltinModule("node:fs");
const { enableCompileCache } = process.getBuiltinModule("node:module");
const src = new URL("../src/cli/main.ts", import.meta.url);
const bundle = new URL("../dist/bundle/sigil.js", import.meta.url);
if (existsSync(src)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(src.href);
} else if (existsSync(bundle)) {
  // Compiled code of the bundle is cached (in $NODE_COMPILE_CACHE, else the
  // system's temporary directory) and reused by the next call.
  enableCompileCache();
  // A command that tools call once per file has a one-command bundle of its
  // own (scripts/build-cli.mjs, src/cli/solo.ts): one file to load, not the
  // shared build's twenty-odd chunks. Only when its name comes first.
  const first = process.argv[2] ?? "";
  const solo = /^[a-z]+$/.test(first) ? new URL(`../dist/bundle/solo-${first}.js`, import.meta.url) : undefined;
  await import(solo !== undefined && existsSync(solo) ? solo.href : bundle.href);
} else {
  process.stderr.write(`sigil: ${decodeURIComponent(bundle.pathname)} is missing: this copy of Sigil was packed without its build (run \`npm run build:cli\` before \`npm pack\`) [runtime.incomplete]\n`);
  process.exit(1);
}
