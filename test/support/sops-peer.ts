/**
 * Running the real `sops` and the in-process `sigil` CLI side by side, for
 * the differential tests (test/integration/sops/differential*.test.ts).
 *
 * - `runSops` spawns the real binary with an environment built from scratch
 *   (HOME is a scratch directory, so no user key or config leaks in), never
 *   more than two at a time.
 * - `runSigil` runs `runCli` in this process with a captured context, so
 *   stdout bytes, stderr and every log line can be inspected.
 * - `maskOutput` blanks what is random in an encrypted file (ENC payloads,
 *   wrapped keys, dates, the MAC) so two encryptions can be compared.
 * - `runCase` encrypts one generated file with both tools and decrypts
 *   across; `sameOutcome` and friends compare the results.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { exitCodeFor, runCli } from "../../src/cli/index.js";
import { buildProviderRegistry } from "../../src/providers/index.js";
import { Logger, SigilError, describeError } from "../../src/core/index.js";
import { DataKeyCache, decryptFile } from "../../src/decrypt/index.js";
import { peerBin, peers } from "./peers.js";
import type { GenStore, GeneratedFile } from "./sops-gen.js";

/** The committed throw-away age identity the differential tests use (test/fixtures/keys/age-1.txt). */
export const FIXTURE_AGE_KEY_FILE = new URL("../fixtures/keys/age-1.txt", import.meta.url).pathname;
/** A second committed identity, for files with two recipients. */
export const FIXTURE_AGE_KEY_FILE_2 = new URL("../fixtures/keys/age-2.txt", import.meta.url).pathname;

/** The `# public key:` line of an age key file. */
export function ageRecipientOf(keyFile: string): string {
  const recipient = /# public key: (\S+)/.exec(readFileSync(keyFile, "utf8"))?.[1];
  if (recipient === undefined) throw new Error(`${keyFile} has no '# public key:' line`);
  return recipient;
}

/** A temporary directory and a function removing it. */
export function scratchDir(prefix = "sigil-diff-"): { readonly dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What one tool run produced. */
export interface RunResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** sigil only: every JSON log line (debug level and up). */
  readonly logs: readonly string[];
}

/** The environment both tools see: nothing from this process except PATH. */
export interface ToolEnv {
  readonly home: string;
  readonly vars: Readonly<Record<string, string>>;
}

function fullEnv(env: ToolEnv): Record<string, string> {
  return { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: env.home, SOPS_DISABLE_VERSION_CHECK: "1", ...env.vars };
}

/** Environment variables for the KMS emulator and OpenBao from the running environment (dummy AWS credentials). */
export function peerKeyEnv(): Record<string, string> {
  const p = peers();
  return {
    AWS_ENDPOINT_URL_KMS: p.kms.endpoint,
    AWS_REGION: p.kms.region,
    AWS_ACCESS_KEY_ID: "sigil-test",
    AWS_SECRET_ACCESS_KEY: "sigil-test",
    VAULT_ADDR: p.vault.addr,
    VAULT_TOKEN: p.vault.token,
  };
}

/** The sops-style transit URI of the environment's Vault key. */
export function vaultTransitUri(): string {
  const v = peers().vault;
  return `${v.addr}/v1/${v.transitMount}/keys/${v.transitKey}`;
}

/** A counting semaphore: at most `n` tasks at once. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

const sopsSlots = limiter(2);

/** Run the real sops with `args` in `cwd`. Never rejects for a non-zero exit; the code is in the result. */
export function runSops(args: readonly string[], cwd: string, env: ToolEnv, stdin?: Uint8Array): Promise<RunResult> {
  return sopsSlots(
    () =>
      new Promise<RunResult>((resolve, reject) => {
        const child = spawn(peerBin("sops"), [...args], { cwd, env: fullEnv(env), stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout?.on("data", (c: Buffer) => out.push(c));
        child.stderr?.on("data", (c: Buffer) => err.push(c));
        child.on("error", reject);
        child.on("close", (code) => {
          resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8"), logs: [] });
        });
        if (stdin !== undefined && child.stdin !== null) {
          // sops may exit before reading its input: that is its answer, not an error here
          child.stdin.on("error", () => undefined);
          child.stdin.end(stdin);
        }
      }),
  );
}

/** Run `sigil <args>` in this process with a captured context (the same environment sops would get). */
export async function runSigil(args: readonly string[], cwd: string, env: ToolEnv, stdin?: Uint8Array): Promise<RunResult> {
  const out: Buffer[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const code = await runCli(args, {
    stdin: Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]),
    stdout: { write: (c: string | Uint8Array) => out.push(Buffer.from(c)) },
    stderr: { write: (c: string | Uint8Array) => err.push(Buffer.from(c).toString("utf8")) },
    env: fullEnv(env),
    cwd,
    logger: new Logger({ level: "debug", sink: (line) => logs.push(line) }),
  });
  return { code, stdout: Buffer.concat(out), stderr: err.join(""), logs };
}

/**
 * Decrypt with the library and a fresh data-key cache, so every key provider
 * is really asked (the CLI shares one cache per process: a file decrypted
 * before in this process would decrypt again without any provider). The
 * result is shaped like a CLI run, with the CLI's exit code for errors.
 */
export async function decryptUncached(bytes: Uint8Array, store: GenStore, env: ToolEnv): Promise<RunResult> {
  const logs: string[] = [];
  const logger = new Logger({ level: "debug", sink: (line) => logs.push(line) });
  try {
    const registry = buildProviderRegistry(fullEnv(env));
    const r = await decryptFile(bytes, { registry, format: store, cache: new DataKeyCache(), logger });
    return { code: 0, stdout: Buffer.from(r.plaintext), stderr: "", logs };
  } catch (err) {
    const code = err instanceof SigilError ? exitCodeFor(err.code) : 1;
    return { code, stdout: Buffer.alloc(0), stderr: describeError(err), logs };
  }
}

/** Throw with the tool's stderr when a run failed. */
export function ok(tool: string, r: RunResult): Buffer {
  if (r.code !== 0) throw new Error(`${tool} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

const ENC_RE = /ENC\[AES256_GCM,data:([A-Za-z0-9+/=]*),iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:([a-z]+)\]/g;
const ARMOR_RE = /-----BEGIN AGE ENCRYPTED FILE-----[\s\S]*?-----END AGE ENCRYPTED FILE-----/g;

/**
 * Blank the random parts of an encrypted file, keeping its shape:
 * `ENC[...]` becomes `ENC[<data length>,<type>]` (the length is that of the
 * plaintext, so number formatting still shows), age armor keeps its line
 * structure with every base64 character replaced, and `lastmodified`,
 * `created_at`, `mac` and KMS / Vault `enc` values are replaced by placeholders
 * in every store's spelling.
 */
export function maskOutput(text: string): string {
  return text
    .replace(ENC_RE, (_m, data: string, type: string) => `ENC[${Buffer.from(data, "base64").length},${type}]`)
    .replace(ARMOR_RE, (m) => m.replace(/[A-Za-z0-9+/=]{16,}/g, (run) => "x".repeat(run.length)))
    .replace(/((?:^|[\s"_])(?:lastmodified|created_at)["]?\s*[:=]\s*"?)[0-9TZ:+-]+/gm, "$1<time>")
    .replace(/vault:v\d+:[A-Za-z0-9+/=]+/g, "vault:<enc>")
    .replace(/((?:^|[\s"_])enc["]?\s*[:=]\s*"?)(?!-----|vault:)[A-Za-z0-9+/=]{40,}/gm, "$1<kms-enc>");
}

// ---------------------------------------------------------------- differential cases

/** K1: a sops-written list item holding an encrypted comment. */
const SEQ_COMMENT_ITEM = /^\s*- ENC\[[^\]]*type:comment\]$/m;

/** Both tools refused to encrypt the input (the exit codes). */
export interface Refused {
  readonly file: GeneratedFile;
  readonly refused: { readonly sops: RunResult; readonly sigil: RunResult };
}

/** Everything both tools produced for one generated input. */
export interface Case {
  readonly refused?: undefined;
  readonly file: GeneratedFile;
  readonly sopsEnc: Buffer;
  readonly sigilEnc: Buffer;
  /** `sops -d` of sops' file (with `--ignore-mac` for K1 files, see `k1`). */
  readonly sopsPlain: RunResult;
  readonly sigilOfSops: RunResult;
  readonly sopsOfSigil: RunResult;
  /** K1: sops' own file fails its MAC check; exit codes of the plain decrypts. */
  readonly k1: { readonly sops: number; readonly sigil: number } | undefined;
}

export function typeFlags(store: GenStore): string[] {
  return ["--input-type", store, "--output-type", store];
}

/**
 * Encrypt `file` with both tools (`encrypt <keyArgs> <extraArgs> <file>` in a
 * directory of its own under `root`, so a `.sops.yaml` written to `root`
 * applies), then decrypt across: sops -d of both files and sigil decrypt of
 * sops' file. Never throws for a tool's failure: exit codes are recorded.
 */
export async function runCase(root: string, env: ToolEnv, file: GeneratedFile, keyArgs: readonly string[], extraArgs: readonly string[] = []): Promise<Case | Refused> {
  const dir = join(root, [file.store, file.seed, ...extraArgs].join("-").replace(/[^A-Za-z0-9-]/g, "_"));
  mkdirSync(dir);
  writeFileSync(join(dir, file.name), file.bytes);
  const [sopsRun, sigilRun] = await Promise.all([
    runSops(["encrypt", ...keyArgs, ...extraArgs, file.name], dir, env),
    runSigil(["encrypt", ...keyArgs, ...extraArgs, file.name], dir, env),
  ]);
  if (sopsRun.code !== 0 || sigilRun.code !== 0) return { file, refused: { sops: sopsRun, sigil: sigilRun } };
  const [sopsEnc, sigilEnc] = [sopsRun.stdout, sigilRun.stdout];
  writeFileSync(join(dir, "sops.enc"), sopsEnc);
  writeFileSync(join(dir, "sigil.enc"), sigilEnc);
  const t = typeFlags(file.store);
  let sopsPlain = await runSops(["decrypt", ...t, "sops.enc"], dir, env);
  let sigilOfSops = await runSigil(["decrypt", ...t, "sops.enc"], dir, env);
  let k1: Case["k1"];
  if (sopsPlain.code === 51 && SEQ_COMMENT_ITEM.test(sopsEnc.toString("utf8"))) {
    k1 = { sops: sopsPlain.code, sigil: sigilOfSops.code };
    sopsPlain = await runSops(["decrypt", "--ignore-mac", ...t, "sops.enc"], dir, env);
    sigilOfSops = await runSigil(["decrypt", "--ignore-mac", ...t, "sops.enc"], dir, env);
  }
  const sopsOfSigil = await runSops(["decrypt", ...t, "sigil.enc"], dir, env);
  return { file, sopsEnc, sigilEnc, sopsPlain, sigilOfSops, sopsOfSigil, k1 };
}

/** A failure line: store, seed, and the first differing line of each side. */
export function describeDiff(c: Case, what: string, expected: Buffer | string, actual: Buffer | string): string {
  const e = expected.toString().split("\n");
  const a = actual.toString().split("\n");
  const i = e.findIndex((line, n) => line !== a[n]);
  const at = i === -1 ? Math.min(e.length, a.length) : i;
  return `${c.file.store} seed ${c.file.seed}: ${what}; line ${at + 1}: expected ${JSON.stringify(e[at])}, got ${JSON.stringify(a[at])}`;
}

/**
 * The same exit code, and the same bytes when both succeeded. For K1 files
 * the reference is sops' `--ignore-mac` output of a file sops itself cannot
 * decrypt, whose comments go-yaml places (or drops) by its own rules: there
 * the values are compared exactly and comment lines are left out.
 */
export function sameOutcome(c: Case, what: string, expected: RunResult, actual: RunResult): string[] {
  if (actual.code !== expected.code) {
    return [`${c.file.store} seed ${c.file.seed}: ${what} exited ${actual.code} (${actual.stderr.trim()}), sops -d exited ${expected.code} (${expected.stderr.trim()})`];
  }
  if (isK1(c)) {
    const [e, a] = [withoutComments(expected.stdout.toString("utf8")), withoutComments(actual.stdout.toString("utf8"))];
    // with a comment rule, sops' list-item comments also shift which values sops' own file counts as
    // encrypted, and `sops -d --ignore-mac` then leaves values encrypted: that reference is broken, and
    // the only requirement left is a complete decryption
    if (e.includes("ENC[AES256_GCM") && !a.includes("ENC[AES256_GCM")) return [];
    return a === e ? [] : [describeDiff(c, `${what} differs from sops -d (comments left out: K1)`, e, a)];
  }
  return actual.stdout.equals(expected.stdout) ? [] : [describeDiff(c, `${what} differs from sops -d`, expected.stdout, actual.stdout)];
}

/** K1 (or its empty-comment form, a `- ""` item): sops wrote a comment in a list as a list item. */
export function isK1(c: Case): boolean {
  return c.k1 !== undefined || /^\s*- (?:ENC\[[^\]]*type:comment\]|"")$/m.test(c.sopsEnc.toString("utf8"));
}

/**
 * YAML (masked or plain) without comment lines, trailing comments and
 * empty-string list items (an empty comment in a list becomes one): how K1
 * files are compared.
 */
export function withoutComments(yaml: string): string {
  return yaml
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .map((l) => l.replace(/ #[^"']*$/, ""))
    .filter((l) => !/^\s*(?:- ENC\[\d+,comment\]|- "")$/.test(l))
    .join("\n");
}

/** The masked encrypted files are identical (K1 files: without their comments); a failure line otherwise. */
export function sameShape(c: Case): string[] {
  let theirs = maskOutput(c.sopsEnc.toString("utf8"));
  let ours = maskOutput(c.sigilEnc.toString("utf8"));
  if (isK1(c)) [theirs, ours] = [withoutComments(theirs), withoutComments(ours)];
  return ours === theirs ? [] : [describeDiff(c, "masked output differs", theirs, ours)];
}
