/**
 * The structure that keeps `sigil` quick to start (docs/benchmarks.md,
 * start-up): which modules a call loads, not how long it takes. Child
 * processes run with a module-load hook (test/support/module-trace.mjs); the
 * packaged form is built into a temporary copy of the package as `npm pack`
 * lays it out, with esbuild's metafile mapping each chunk it loads back to
 * the sources in it.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Help } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../../src/cli/index.js";
import { processContext } from "../../../src/cli/context.js";

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
}

function traced(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Traced {
  const trace = join(dir, `trace-${String(Math.random()).slice(2)}.txt`);
  const res = spawnSync(process.execPath, ["--import", TRACER, ...args], { encoding: "utf8", env: { ...process.env, ...env, SIGIL_MODULE_TRACE: trace } });
  const modules = readFileSync(trace, "utf8").split("\n").filter((l) => l !== "");
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, modules };
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
  const bin = (): string => join(pkg, "bin", "sigil.js");
  /** The sources in the chunks a run loaded. */
  const sources = (modules: readonly string[]): string[] =>
    modules.flatMap((m) => (m.startsWith("file:") ? (chunkInputs.get(fileURLToPath(m).slice(pkg.length + 1)) ?? [fileURLToPath(m)]) : []));

  beforeAll(() => {
    pkg = mkdtempSync(join(tmpdir(), "sigil-startup-pkg-"));
    mkdirSync(join(pkg, "bin"));
    copyFileSync(join(ROOT, "package.json"), join(pkg, "package.json"));
    cpSync(join(ROOT, "bin"), join(pkg, "bin"), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
    const meta = join(pkg, "meta.json");
    const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build-cli.mjs"), "--outdir", join(pkg, "dist", "bundle"), "--metafile", meta], { encoding: "utf8", cwd: ROOT });
    expect(build.status, build.stderr).toBe(0);
    const outputs = (JSON.parse(readFileSync(meta, "utf8")) as { outputs: Record<string, { inputs: Record<string, unknown> }> }).outputs;
    chunkInputs = new Map(Object.entries(outputs).map(([file, o]) => [file.slice(file.indexOf("dist/bundle/")), Object.keys(o.inputs).map((i) => i.replace(/^builtin:/, "node:"))]));
    rmSync(meta);
  }, 120_000);
  afterAll(() => {
    rmSync(pkg, { recursive: true, force: true });
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
    expect(heavyIn(sources(run.modules))).toEqual([]);
    expect(run.modules.filter((m) => m.includes("/node_modules/"))).toEqual([]);
    expect(sources(run.modules).filter((m) => /node_modules\/commander\/|src\/cli\/(program|context)\.ts/.test(m))).toEqual([]);
  });

  it("--help lists every command with its description, loading no command module and no SDK", () => {
    const run = traced(pkg, [bin(), "--help"]);
    expect(run.status).toBe(0);
    for (const c of COMMANDS) expect(run.stdout.replace(/\s+/g, " ")).toContain(`${c.term} ${c.description}`.replace(/\s+/g, " "));
    expect(heavyIn(sources(run.modules))).toEqual([]);
  });

  it.each(COMMANDS.map((c) => c.name))("contains %s: its help comes from its own chunk (or its one-command bundle)", (name) => {
    const run = traced(pkg, [bin(), name, "--help"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Usage: sigil ${name} `);
    expect(run.modules.some((m) => m.endsWith(`/dist/bundle/cmd-${name}.js`) || m.endsWith(`/dist/bundle/solo-${name}.js`))).toBe(true);
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
    const loaded = sources(run.modules);
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
      expect(solo.modules.some((m) => m.endsWith(`/dist/bundle/solo-${name}.js`)), args.join(" ")).toBe(true);
      expect(shared.modules.some((m) => m.includes("/dist/bundle/solo-")), args.join(" ")).toBe(false);
      expect({ status: solo.status, stdout: solo.stdout, stderr: solo.stderr }, args.join(" ")).toEqual({ status: shared.status, stdout: shared.stdout, stderr: shared.stderr });
      expect(solo.modules.filter((m) => m.includes("/dist/bundle/") && !m.includes("/dist/bundle/solo-") && !m.includes("/dist/bundle/chunk-")), args.join(" ")).toEqual([]);
    }
    const decrypted = traced(pkg, [bin(), "decrypt", join(FIXTURES, "types.sops.yaml")], env);
    expect(decrypted.stdout).toBe(readFileSync(join(FIXTURES, "types.sops-d.yaml"), "utf8"));
    // Of Sigil's code, decrypt loads its one file and at most a few small chunks (what it shares with its lazy imports).
    expect(decrypted.modules.filter((m) => m.includes("/dist/bundle/")).length).toBeLessThanOrEqual(4);
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
      expect(sources(run.modules).filter((m) => NOT_FOR_DECRYPT.test(m) || /node_modules\/(yaml|re2js)\//.test(m))).toEqual([]);
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
