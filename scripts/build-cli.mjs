#!/usr/bin/env node
// Bundles the `sigil` CLI into dist/bundle/ with esbuild: what `npm pack`
// ships and `bin/sigil.js` runs when installed.
//
//   node scripts/build-cli.mjs [--outdir DIR] [--metafile FILE]
//
// Besides the shared build, each command in SOLO gets a one-command bundle,
// solo-<name>.cjs (src/cli/solo.ts), that bin/sigil.js runs when the command's
// name comes first: one classic script, not the shared build's twenty-odd ES
// modules, which bin/sigil.js compiles itself so that it can keep V8's code
// cache of it as it stands after a run (every function the command called,
// not only the top level that Node's module compile cache holds). Only for
// commands tools call once per file.
//
// One ES module per command (code splitting): start-up reads the entry chunk
// (the program, commander, the lazy command table) and a command's chunk is
// read only when that command runs. The pure-JavaScript dependencies
// (commander, yaml, age-encryption and its noble libraries, re2js) are bundled
// in; the large SDKs that only some commands touch, and load on first use,
// stay ordinary packages resolved from node_modules at run time:
const EXTERNAL = ["@aws-sdk/*", "@kubernetes/client-node", "node-vault", "node-forge", "simple-git"];
import { build } from "esbuild";
import { barrelImports } from "./barrels.mjs";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// --entry name=path (repeatable) adds an entry point bundled with the CLI's
// chunks: the benchmarks run their controller processes this way, as
// `sigil operator` runs from the package.
const { values } = parseArgs({ options: { outdir: { type: "string" }, metafile: { type: "string" }, entry: { type: "string", multiple: true } } });
// The bundle reads ../../package.json (its version) relative to itself, so it
// lives two levels below the package root, as src/cli/ does.
const outdir = resolve(values.outdir ?? join(root, "dist", "bundle"));

// Each command folder is an entry of its own, so its chunk has a stable name
// (cmd-<name>.js) that the structure test can check for.
const commands = readdirSync(join(root, "src", "cli", "commands"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const extra = (values.entry ?? []).map((e) => e.split("=", 2));
const SOLO = ["decrypt", "encrypt"];
const entryPoints = { sigil: "src/cli/main.ts", ...Object.fromEntries(commands.map((c) => [`cmd-${c}`, `src/cli/commands/${c}/index.ts`])), ...Object.fromEntries(extra) };

/**
 * Node's built-in modules, reached without an ES module facade. Importing a
 * built-in from an ES module makes Node build a facade that reads every
 * export, and reading `fs.promises` and `fs.ReadStream` loads Node's whole
 * streams and promises layers: about a third of `sigil --version`'s own CPU
 * time on this machine. Instead, each built-in becomes a small module around
 * process.getBuiltinModule() (Node >= 22.3):
 * - for `import`: one export per name, each a pure read, so esbuild keeps
 *   (and the bundle reads) only the names some code imports; no interop
 *   helper copies every property of the module at each import site;
 * - for `require()` (bundled CommonJS): a proxy that fetches the module on
 *   first use (commander requires child_process, which pulls in net and
 *   streams, for executable subcommands Sigil does not have).
 */
const ESM_BUILTIN = (id) => {
  const names = Object.keys(process.getBuiltinModule(id)).filter((n) => /^[A-Za-z_][\w]*$/.test(n) && n !== "default");
  if (LAZY_BUILTINS.has(id)) return lazyBuiltin(id, names);
  return [
    "const $read = (o, k) => o[k];",
    `const $m = /* @__PURE__ */ process.getBuiltinModule(${JSON.stringify(id)});`,
    "export default $m;",
    ...names.map((n, i) => `const $${i} = /* @__PURE__ */ $read($m, ${JSON.stringify(n)});\nexport { $${i} as ${n} };`),
  ].join("\n");
};
/**
 * Built-ins whose functions are wrapped so the module loads on the first
 * call, not when a chunk that imports it is read: `node:fs/promises` pulls in
 * Node's streams and readline layers (about 2.5 ms), and `sigil decrypt`
 * imports it in chunks whose asynchronous reads it never makes. Only for
 * modules whose exports are plain functions (no classes: `new` on a wrapper
 * would fail); anything else is read when first imported, as above.
 */
const LAZY_BUILTINS = new Set(["node:fs/promises"]);
const lazyBuiltin = (id, names) => {
  const m = process.getBuiltinModule(id);
  return [
    `let $m; const $load = () => ($m ??= process.getBuiltinModule(${JSON.stringify(id)}));`,
    "export default new Proxy({}, { get: (_, k) => $load()[k] });",
    ...names.map((n, i) =>
      typeof m[n] === "function" && !/^[A-Z]/.test(n)
        ? `const $${i} = (...args) => $load()[${JSON.stringify(n)}](...args);\nexport { $${i} as ${n} };`
        : `const $${i} = /* @__PURE__ */ (() => $load()[${JSON.stringify(n)}])();\nexport { $${i} as ${n} };`,
    ),
  ].join("\n");
};

const CJS_BUILTIN = (id) => `let m; const load = () => (m ??= process.getBuiltinModule(${JSON.stringify(id)}));
module.exports = new Proxy({}, {
  get: (_, k) => load()[k],
  has: (_, k) => k in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, k) => { const d = Reflect.getOwnPropertyDescriptor(load(), k); return d && { ...d, configurable: true }; },
});`;

const builtinsWithoutFacade = {
  name: "builtins-without-facade",
  setup(b) {
    const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!names.has(args.path)) return undefined;
      return { path: `node:${args.path.replace(/^node:/, "")}`, namespace: args.kind === "require-call" ? "builtin-cjs" : "builtin-esm" };
    });
    b.onLoad({ filter: /.*/, namespace: "builtin-esm" }, (args) => ({ contents: ESM_BUILTIN(args.path), loader: "js" }));
    b.onLoad({ filter: /.*/, namespace: "builtin-cjs" }, (args) => ({ contents: CJS_BUILTIN(args.path), loader: "js" }));
  },
};

/**
 * Sigil's own modules have no import-time side effects (conventions.md), so
 * esbuild may drop any of them whose exports a command does not use: without
 * this, a barrel import (`decrypt/index.ts`) keeps every module with a
 * top-level statement esbuild cannot prove pure (a `new Map()`, a class with
 * static fields), and `sigil decrypt` would evaluate the Kubernetes layer,
 * the Sealed Secrets codec and the Vault KV client it never calls.
 */
const SRC = join(root, "src") + "/";
const BENCH = join(root, "bench") + "/";
const sourcesWithoutSideEffects = {
  name: "sources-without-side-effects",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === "inner" || !(args.importer.startsWith(SRC) || args.importer.startsWith(BENCH))) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: "inner" });
      if (r.errors.length > 0 || !r.path.startsWith(SRC)) return undefined;
      return { path: r.path, sideEffects: false };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node24",
  external: EXTERNAL,
  // Bundled CommonJS code may require() an external package; give each chunk
  // a real require, made on first use: createRequire costs about 0.3 ms, and
  // `sigil decrypt` loads some 25 chunks, none of which calls it today.
  banner: { js: 'let $require;const require=(id)=>($require??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id);' },
  chunkNames: "chunk-[hash]",
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
};
const plugins = [builtinsWithoutFacade, sourcesWithoutSideEffects, barrelImports([join(root, "src"), join(root, "bench")])];
const result = await build({ ...common, entryPoints, plugins });

/**
 * A one-command bundle: a virtual entry that imports the command's module
 * and runs src/cli/solo.ts with it. The command table's dynamic imports are
 * replaced by a module that refuses to load: runSolo hands the program the
 * imported module instead, and esbuild would otherwise put the command into
 * a chunk of its own (each dynamic import is an entry point to it).
 *
 * One CommonJS-style script, not split: bin/sigil.js compiles it with
 * node:vm, which takes and makes V8 code caches (ES modules have no such
 * API without a flag). What the command imports dynamically (yaml, typage,
 * the .sops.yaml and KMS/Vault code) is in the file but only evaluated when
 * first imported; the SDKs stay external and are require()d then. The first
 * line names the build (a digest of the bundle), which keys the code cache.
 */
const soloPlugin = (name) => ({
  name: `solo-${name}`,
  setup(b) {
    b.onResolve({ filter: /^solo-entry$/ }, () => ({ path: name, namespace: "solo-entry" }));
    b.onLoad({ filter: /.*/, namespace: "solo-entry" }, () => ({
      contents: [
        `import { runSolo } from ${JSON.stringify(join(root, "src", "cli", "solo.ts"))};`,
        `import * as command from ${JSON.stringify(join(root, "src", "cli", "commands", name, "index.ts"))};`,
        `runSolo(${JSON.stringify(name)}, command);`,
      ].join("\n"),
      resolveDir: root,
      loader: "js",
    }));
    b.onResolve({ filter: /^\.\/[a-z-]+\/index\.js$/ }, (args) =>
      args.importer === join(root, "src", "cli", "commands", "index.ts") ? { path: args.path, namespace: "solo-absent" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "solo-absent" }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`the one-command bundle of '${name}' does not hold ${args.path}`)});`,
      loader: "js",
    }));
  },
});
const SOLO_HEADER = "//sigil-build:";
const UNNAMED = "0".repeat(32);
const solo = {
  ...common,
  splitting: false,
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  // An external's import() becomes require() (each SDK has a CommonJS build):
  // a script compiled by node:vm has no module loader for import().
  supported: { "dynamic-import": false },
  // import.meta.url (package.json for --version, createRequire) from the script's own path.
  define: { "import.meta.url": "__sigilModuleUrl" },
  banner: { js: `${SOLO_HEADER}${UNNAMED}\nvar __sigilModuleUrl=require("node:url").pathToFileURL(__filename).href;` },
};
const solos = [];
for (const name of SOLO) {
  const r = await build({ ...solo, entryPoints: { [`solo-${name}`]: "solo-entry" }, plugins: [soloPlugin(name), ...plugins] });
  const file = join(outdir, `solo-${name}.cjs`);
  const text = readFileSync(file, "utf8");
  // The same length in place of the placeholder, so the source map stays true.
  writeFileSync(file, text.replace(`${SOLO_HEADER}${UNNAMED}`, `${SOLO_HEADER}${createHash("sha256").update(text).digest("hex").slice(0, 32)}`));
  solos.push(r);
}
for (const r of solos) {
  Object.assign(result.metafile.outputs, r.metafile.outputs);
  Object.assign(result.metafile.inputs, r.metafile.inputs);
}
if (values.metafile !== undefined) writeFileSync(values.metafile, JSON.stringify(result.metafile));
const bytes = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith(".js")).reduce((n, [, o]) => n + o.bytes, 0);
process.stderr.write(`[build] ${join(outdir, "sigil.js")} (${Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js")).length} chunks, ${(bytes / 1024).toFixed(0)} KiB)\n`);
