/**
 * The structure that keeps `sigil` quick to start (docs/benchmarks.md,
 * start-up): which modules a call loads, not how long it takes. Child
 * processes run with a module-load hook (test/support/module-trace.mjs); the
 * packaged form is built into a temporary copy of the package as `npm pack`
 * lays it out, with esbuild's metafile mapping each chunk it loads back to
 * the sources in it.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, Help } from "commander";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMMANDS } from "../../../src/cli/index.js";
import { processContext } from "../../../src/cli/context.js";
import { buildPackagedCli } from "../../support/packaged-cli.js";
import type { PackagedCli } from "../../support/packaged-cli.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TRACER = join(ROOT, "test", "support", "module-trace.mjs");
const FIXTURES = join(ROOT, "test", "fixtures", "sops");
/** What neither --version nor --help may load: the SDKs and the code behind the commands. */
const HEAVY = [/node_modules\/@kubernetes\/client-node\//, /node_modules\/@aws-sdk\//, /node_modules\/node-forge\//, /node_modules\/node-vault\//, /node_modules\/age-encryption\//, /node_modules\/@noble\//, /node_modules\/yaml\//, /src\/cli\/commands\/[^/]+\//, /src\/decrypt\//, /src\/providers\//, /src\/operator\//];

/** Areas `sigil decrypt` of a SOPS file has no use for (the bundle must not load them through an area's index.ts). */
const NOT_FOR_DECRYPT = /src\/(kube|decrypt\/sealed-secrets|providers\/vault\/kv|providers\/wiring\/from-secret|operator|reconcile|external-secrets)\//;

interface Traced {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly modules: string[];
  /**
   * The bundled modules a one-command bundle (a single script) initialised
   * lazily in this run: esbuild wraps each module that is imported
   * dynamically in a function named by its path, and V8's coverage tells
   * which of those were called.
   */
  readonly initialised: string[];
}

function traced(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Traced {
  const id = String(Math.random()).slice(2);
  const trace = join(dir, `trace-${id}.txt`);
  const coverage = join(dir, `coverage-${id}`);
  // The code cache in the test's own folder, not the user's.
  const res = spawnSync(process.execPath, ["--import", TRACER, ...args], { encoding: "utf8", env: { ...process.env, NODE_COMPILE_CACHE: join(dir, "compile-cache"), ...env, SIGIL_MODULE_TRACE: trace, NODE_V8_COVERAGE: coverage } });
  const modules = readFileSync(trace, "utf8").split("\n").filter((l) => l !== "");
  const initialised = new Set<string>();
  for (const f of readdirSync(coverage)) {
    const report = JSON.parse(readFileSync(join(coverage, f), "utf8")) as { result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[] };
    for (const script of report.result.filter((r) => /\/dist\/bundle\/solo-[a-z]+\.cjs$/.test(r.url))) {
      for (const fn of script.functions) if (/^(src|node_modules)\//.test(fn.functionName) && (fn.ranges[0]?.count ?? 0) > 0) initialised.add(fn.functionName);
    }
  }
  rmSync(coverage, { recursive: true, force: true });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, modules, initialised: [...initialised] };
}

function heavyIn(modules: readonly string[]): string[] {
  return modules.filter((m) => HEAVY.some((re) => re.test(m)));
}

describe("the lazy command table", () => {
  it("lists every command folder, with the term and description its module registers", async () => {
    const folders = readdirSync(join(ROOT, "src", "cli", "commands"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(folders.sort());
    for (const entry of COMMANDS) {
      const program = new Command("sigil");
      (await entry.load()).register(program, processContext());
      const cmd = program.commands.find((c) => c.name() === entry.name);
      expect(cmd, entry.name).toBeDefined();
      expect(new Help().subcommandTerm(cmd!), entry.name).toBe(entry.term);
      expect(cmd!.description(), entry.name).toBe(entry.description);
    }
  });
});

describe("start-up from the sources (tsx)", () => {
  const dir = mkdtempSync(join(tmpdir(), "sigil-startup-src-"));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("--help lists every command without loading a command module or an SDK", () => {
    const run = traced(dir, ["--import", "tsx", join(ROOT, "src", "cli", "main.ts"), "--help"]);
    expect(run.status).toBe(0);
    for (const c of COMMANDS) expect(run.stdout).toContain(c.term);
    expect(run.modules.some((m) => m.endsWith("/src/cli/program.ts"))).toBe(true);
    expect(heavyIn(run.modules)).toEqual([]);
  });
});

describe("the packaged CLI (bin/sigil.js running dist/bundle)", () => {
  let pkg = "";
  let chunkInputs = new Map<string, string[]>();
  /** Per one-command bundle, the modules it evaluates as it starts (reached by static imports from its entry). */
  let soloEager = new Map<string, string[]>();
  const bin = (): string => join(pkg, "bin", "sigil.js");
  /**
   * The sources a run evaluated: those in the chunks it loaded, and of a
   * one-command bundle, what it evaluates as it starts and the modules it
   * initialised later.
   */
  const sources = (run: Traced): string[] =>
    run.modules.flatMap((m) => {
      if (!m.startsWith("file:")) return [];
      const file = fileURLToPath(m).slice(pkg.length + 1);
      const eager = soloEager.get(file);
      if (eager !== undefined) return [...eager, ...run.initialised];
      return chunkInputs.get(file) ?? [fileURLToPath(m)];
    });

  let packaged: PackagedCli | undefined;
  beforeAll(() => {
    packaged = buildPackagedCli("sigil-startup-pkg-");
    pkg = packaged.dir;
    const metafile = packaged.metafile;
    const name = (i: string): string => i.replace(/^builtin[a-z-]*:/, "");
    chunkInputs = new Map(Object.entries(metafile.outputs).map(([file, o]) => [file.slice(file.indexOf("dist/bundle/")), Object.keys(o.inputs).map(name)]));
    soloEager = new Map(
      Object.entries(metafile.outputs)
        .filter(([file]) => file.endsWith(".cjs"))
        .map(([file, o]) => {
          // Static imports and require() calls run as the script starts; import() only when reached.
          const seen = new Set<string>();
          const visit = (i: string): void => {
            if (seen.has(i)) return;
            seen.add(i);
            for (const edge of metafile.inputs[i]?.imports ?? []) if (edge.kind !== "dynamic-import") visit(edge.path);
          };
          visit(o.entryPoint ?? "");
          return [file.slice(file.indexOf("dist/bundle/")), [...seen].map(name)];
        }),
    );
  }, 120_000);
  afterAll(() => {
    packaged?.remove();
  });

  it("npm pack ships the launcher and the whole bundle, and no sources", () => {
    const res = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: pkg, encoding: "utf8" });
    expect(res.status, res.stderr).toBe(0);
    const files = (JSON.parse(res.stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
    expect(files).toContain("bin/sigil.js");
    expect(files).toContain("dist/bundle/sigil.js");
    for (const c of COMMANDS) expect(files).toContain(`dist/bundle/cmd-${c.name}.js`);
    for (const chunk of chunkInputs.keys()) expect(files).toContain(chunk);
    expect(files.filter((f) => f.startsWith("src/") || f.startsWith("test/"))).toEqual([]);
  });

  it.each(["--version", "-v"])("%s loads no command module, no SDK, and not even the program or commander", (flag) => {
    const run = traced(pkg, [bin(), flag]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version}\n`);
    expect(run.modules.filter((m) => m.includes("/dist/bundle/cmd-"))).toEqual([]);
    expect(heavyIn(sources(run))).toEqual([]);
    expect(run.modules.filter((m) => m.includes("/node_modules/"))).toEqual([]);
    expect(sources(run).filter((m) => /node_modules\/commander\/|src\/cli\/(program|context)\.ts/.test(m))).toEqual([]);
  });

  it("--help lists every command with its description, loading no command module and no SDK", () => {
    const run = traced(pkg, [bin(), "--help"]);
    expect(run.status).toBe(0);
    for (const c of COMMANDS) expect(run.stdout.replace(/\s+/g, " ")).toContain(`${c.term} ${c.description}`.replace(/\s+/g, " "));
    expect(heavyIn(sources(run))).toEqual([]);
  });

  it.each(COMMANDS.map((c) => c.name))("contains %s: its help comes from its own chunk (or its one-command bundle)", (name) => {
    const run = traced(pkg, [bin(), name, "--help"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Usage: sigil ${name} `);
    expect(run.modules.some((m) => m.endsWith(`/dist/bundle/cmd-${name}.js`) || m.endsWith(`/dist/bundle/solo-${name}.cjs`))).toBe(true);
  });

  it("refuses a Node older than 24 with one line and a code, before loading anything", () => {
    const pretend = `data:text/javascript,Object.defineProperty(process.versions, "node", { value: "20.19.0" })`;
    const run = traced(pkg, ["--import", pretend, bin(), "--version"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("sigil: Node 20.19.0 is not supported: Sigil runs on Node 24 LTS or newer (install it, or run `npm run sigil --` from a checkout, which fetches a private Node 24) [runtime.unsupported]\n");
    expect(run.modules.filter((m) => m.includes("/dist/bundle/"))).toEqual([]);
  });

  it("decrypts an age file to what sops prints, without loading age-encryption or an SDK", () => {
    const run = traced(pkg, [bin(), "decrypt", join(FIXTURES, "types.sops.yaml")], { SOPS_AGE_KEY_FILE: join(FIXTURES, "age-key.txt") });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(FIXTURES, "types.sops-d.yaml"), "utf8"));
    const loaded = sources(run);
    // The one-command bundle ran, and its lazily initialised modules were seen (so the checks below cover them).
    expect(run.modules.some((m) => m.endsWith("/dist/bundle/solo-decrypt.cjs"))).toBe(true);
    expect(run.initialised.length).toBeGreaterThan(0);
    expect(loaded.some((m) => m.includes("src/providers/age/native-x25519.ts"))).toBe(true);
    expect(loaded.filter((m) => /node_modules\/(age-encryption|@noble|@kubernetes|@aws-sdk|node-forge|node-vault)\//.test(m))).toEqual([]);
    expect(loaded.filter((m) => NOT_FOR_DECRYPT.test(m))).toEqual([]);
    // Node's promise-based fs pulls in its streams and readline layers: the few small files are read synchronously.
    // (Only the public module is checked: the tracer's own --import loads the internal ones.)
    expect(run.modules.filter((m) => m === "node-internal:fs/promises")).toEqual([]);
  });

  it.each(["decrypt", "encrypt"])("runs %s from its one-command bundle, a single file of Sigil's, answering as the shared build does", (name) => {
    const env = { SOPS_AGE_KEY_FILE: join(FIXTURES, "age-key.txt") };
    const file = join(FIXTURES, name === "decrypt" ? "types.sops.yaml" : "types.sops-d.yaml");
    const calls: string[][] = [[name, "--help"], [name, "--no-such-flag"], [name, join(FIXTURES, "no-such-file.yaml")], name === "decrypt" ? [name, file] : [name, "--age", "age1invalid", file]];
    for (const args of calls) {
      const solo = traced(pkg, [bin(), ...args], env);
      // The same command line on the shared build, started directly.
      const shared = traced(pkg, [join(pkg, "dist", "bundle", "sigil.js"), ...args], env);
      expect(solo.modules.some((m) => m.endsWith(`/dist/bundle/solo-${name}.cjs`)), args.join(" ")).toBe(true);
      expect(shared.modules.some((m) => m.includes("/dist/bundle/solo-")), args.join(" ")).toBe(false);
      expect({ status: solo.status, stdout: solo.stdout, stderr: solo.stderr }, args.join(" ")).toEqual({ status: shared.status, stdout: shared.stdout, stderr: shared.stderr });
      // Of Sigil's code, only the one file.
      expect(solo.modules.filter((m) => m.includes("/dist/bundle/")), args.join(" ")).toEqual([pathToFileURL(join(pkg, "dist", "bundle", `solo-${name}.cjs`)).href]);
    }
    // A script compiled by node:vm has no loader for import(): the build turns every one into require().
    expect(readFileSync(join(pkg, "dist", "bundle", `solo-${name}.cjs`), "utf8")).not.toMatch(/\bimport\(/);
  });

  describe("the code cache of a one-command bundle", () => {
    const env = (cache: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: "", SOPS_AGE_KEY_FILE: join(FIXTURES, "age-key.txt"), ...extra });
    const decrypt = (cache: string, file = join(FIXTURES, "types.sops.yaml"), extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [bin(), "decrypt", file], { encoding: "utf8", env: env(cache, extra) });
    /** The file bin/sigil.js keeps the cache of `name` in, for this build, this Node and this platform. */
    const cacheFile = (cache: string, name: string): string => {
      const build = readFileSync(join(pkg, "dist", "bundle", `${name}.cjs`), "utf8").split("\n", 1)[0]?.replace("//sigil-build:", "") ?? "";
      expect(build).toMatch(/^[0-9a-f]{32}$/);
      return join(cache, "sigil", `${name}-${build}-${process.version}-${process.platform}-${process.arch}.v8`);
    };
    const expected = (): string => readFileSync(join(FIXTURES, "types.sops-d.yaml"), "utf8");
    let cache = "";
    beforeEach(() => {
      cache = mkdtempSync(join(tmpdir(), "sigil-code-cache-"));
    });
    afterEach(() => {
      rmSync(cache, { recursive: true, force: true });
    });

    it("is made after a successful run (0600 in a 0700 folder) and used as it is by the next run", () => {
      const first = decrypt(cache);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toBe(expected());
      const file = cacheFile(cache, "solo-decrypt");
      const made = lstatSync(file);
      expect(made.isFile()).toBe(true);
      expect(made.mode & 0o777).toBe(0o600);
      expect(lstatSync(join(cache, "sigil")).mode & 0o777).toBe(0o700);
      expect(readdirSync(join(cache, "sigil"))).toEqual([basename(file)]);
      // V8 accepted it: the next run does not make it again (a rejected cache is replaced, a new inode).
      const second = decrypt(cache);
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toBe(expected());
      expect(lstatSync(file).ino).toBe(made.ino);
      expect(lstatSync(file).mtimeMs).toBe(made.mtimeMs);
    });

    it("is not made by a failed run, nor with NODE_DISABLE_COMPILE_CACHE set", () => {
      const failed = decrypt(cache, join(FIXTURES, "no-such-file.yaml"));
      expect(failed.status).not.toBe(0);
      expect(readdirSync(join(cache, "sigil"))).toEqual([]);
      const off = decrypt(cache, undefined, { NODE_DISABLE_COMPILE_CACHE: "1" });
      expect(off.status, off.stderr).toBe(0);
      expect(off.stdout).toBe(expected());
      expect(readdirSync(cache)).toEqual(["sigil"]);
      expect(readdirSync(join(cache, "sigil"))).toEqual([]);
    });

    it("replaces a cache V8 refuses, and the output is still right", () => {
      mkdirSync(join(cache, "sigil"), { mode: 0o700 });
      const file = cacheFile(cache, "solo-decrypt");
      writeFileSync(file, Buffer.alloc(4096, 7), { mode: 0o600 });
      const before = lstatSync(file).ino;
      const run = decrypt(cache);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(expected());
      expect(lstatSync(file).ino).not.toBe(before);
      expect(readFileSync(file).equals(Buffer.alloc(4096, 7))).toBe(false);
    });

    it("is neither read through a symbolic link nor written through one", () => {
      mkdirSync(join(cache, "sigil"), { mode: 0o700 });
      const file = cacheFile(cache, "solo-decrypt");
      // A cache V8 would take, behind a link: it is not read (the run makes its own in place of the link), and not written through.
      const other = join(cache, "other");
      expect(decrypt(other).status).toBe(0);
      const target = join(cache, "elsewhere");
      copyFileSync(cacheFile(other, "solo-decrypt"), target);
      const valid = readFileSync(target);
      symlinkSync(target, file);
      const run = decrypt(cache);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(expected());
      expect(readFileSync(target).equals(valid)).toBe(true);
      expect(lstatSync(file).isFile()).toBe(true);
    });

    it.each([0o777, 0o770, 0o757])("is not used in a folder that others may write to (mode %o)", (mode) => {
      mkdirSync(join(cache, "sigil"));
      chmodSync(join(cache, "sigil"), mode);
      const run = decrypt(cache);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(expected());
      expect(readdirSync(join(cache, "sigil"))).toEqual([]);
    });

    it("is skipped, and the command answers, where no folder can be made", () => {
      const file = join(cache, "a-file");
      writeFileSync(file, "");
      const run = decrypt(join(file, "below"));
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(expected());
      expect(readdirSync(cache)).toEqual(["a-file"]);
    });

    // Only root can give a file or folder to another user.
    it.runIf(process.getuid?.() === 0)("neither reads a cache another user owns nor uses a folder another user owns", () => {
      // A cache V8 would take, owned by uid 1: not read, so the run makes its own (owned by root) in its place.
      mkdirSync(join(cache, "sigil"), { mode: 0o700 });
      const other = join(cache, "other");
      expect(decrypt(other).status).toBe(0);
      const file = cacheFile(cache, "solo-decrypt");
      copyFileSync(cacheFile(other, "solo-decrypt"), file);
      chownSync(file, 1, 1);
      const run = decrypt(cache);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(expected());
      expect(lstatSync(file).uid).toBe(0);
      // A folder of uid 1 (mode 0700, writable by nobody else): not used.
      const theirs = join(cache, "theirs");
      mkdirSync(join(theirs, "sigil"), { recursive: true, mode: 0o700 });
      chownSync(join(theirs, "sigil"), 1, 1);
      expect(decrypt(theirs).status).toBe(0);
      expect(readdirSync(join(theirs, "sigil"))).toEqual([]);
    });

    it("keeps the caches of three other builds at most, dropping the oldest", () => {
      mkdirSync(join(cache, "sigil"), { mode: 0o700 });
      const others = [1, 2, 3, 4, 5].map((n) => join(cache, "sigil", `solo-decrypt-${String(n).repeat(32)}-${process.version}-${process.platform}-${process.arch}.v8`));
      others.forEach((f, i) => {
        writeFileSync(f, "x", { mode: 0o600 });
        utimesSync(f, 1_000_000 + i * 1000, 1_000_000 + i * 1000);
      });
      writeFileSync(join(cache, "sigil", "solo-encrypt-kept.v8"), "x", { mode: 0o600 });
      const run = decrypt(cache);
      expect(run.status, run.stderr).toBe(0);
      expect(readdirSync(join(cache, "sigil")).sort()).toEqual([basename(cacheFile(cache, "solo-decrypt")), ...others.slice(2).map((f) => basename(f)), "solo-encrypt-kept.v8"].sort());
    });

    it("holds none of the values a run encrypted or decrypted", () => {
      const canary = `CANARY-${String(Math.random()).slice(2)}-code-cache`;
      const dir = join(cache, "work");
      mkdirSync(dir);
      writeFileSync(join(dir, "plain.yaml"), `password: ${canary}\nnested:\n    token: ${canary}-2\n`);
      const recipient = spawnSync(process.execPath, [bin(), "keygen", "age", "-y", join(FIXTURES, "age-key.txt")], { encoding: "utf8", env: env(cache) }).stdout.trim();
      const enc = spawnSync(process.execPath, [bin(), "encrypt", "--age", recipient, join(dir, "plain.yaml")], { encoding: "utf8", env: env(cache) });
      expect(enc.status, enc.stderr).toBe(0);
      writeFileSync(join(dir, "enc.yaml"), enc.stdout);
      const dec = decrypt(cache, join(dir, "enc.yaml"));
      expect(dec.status, dec.stderr).toBe(0);
      expect(dec.stdout).toContain(canary);
      const files = readdirSync(join(cache, "sigil"));
      expect(files.some((f) => f.startsWith("solo-encrypt-"))).toBe(true);
      expect(files.some((f) => f.startsWith("solo-decrypt-"))).toBe(true);
      for (const f of files) {
        const bytes = readFileSync(join(cache, "sigil", f));
        for (const form of [Buffer.from(canary, "utf8"), Buffer.from(canary, "utf16le"), Buffer.from(Buffer.from(canary).toString("base64").slice(0, 24))]) expect(bytes.includes(form), f).toBe(false);
      }
    });
  });

  it("decrypts a file with an encrypted_regex of plain names, and reads a .sops.yaml only where there is one, loading neither yaml nor re2js nor other areas otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "sigil-startup-regex-"));
    try {
      const env = { SOPS_AGE_KEY_FILE: join(FIXTURES, "age-key.txt") };
      const recipient = spawnSync(process.execPath, [bin(), "keygen", "age", "-y", join(FIXTURES, "age-key.txt")], { encoding: "utf8" }).stdout.trim();
      writeFileSync(join(dir, "s.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n    name: s\ndata:\n    password: aHVudGVyMg==\n");
      const enc = spawnSync(process.execPath, [bin(), "encrypt", "--age", recipient, "--encrypted-regex", "^(data|stringData)$", join(dir, "s.yaml")], { encoding: "utf8", cwd: dir });
      expect(enc.status, enc.stderr).toBe(0);
      expect(enc.stdout).toContain("encrypted_regex: ^(data|stringData)$");
      expect(enc.stdout).toContain("name: s\n");
      writeFileSync(join(dir, "s.sops.yaml"), enc.stdout);
      const run = traced(dir, [bin(), "decrypt", join(dir, "s.sops.yaml")], env);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(readFileSync(join(dir, "s.yaml"), "utf8"));
      expect(sources(run).filter((m) => NOT_FOR_DECRYPT.test(m) || /node_modules\/(yaml|re2js)\//.test(m))).toEqual([]);
      // With a .sops.yaml in the working directory the YAML parser is loaded, and a bad one is still refused.
      writeFileSync(join(dir, ".sops.yaml"), "creation_rules: [\n");
      const bad = spawnSync(process.execPath, [bin(), "decrypt", join(dir, "s.sops.yaml")], { encoding: "utf8", cwd: dir, env: { ...process.env, ...env } });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain(".sops.yaml");
      expect(bad.stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
