/** Helpers of the reconciler's integration tests: Git repos that change over time, sops-encrypted files, and `sigil sync` in-process. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/program.js";
import { Logger } from "../../src/core/index.js";
import type { TestRepo } from "./git.js";
import { peerBin, peers } from "./peers.js";

export const AGE_KEY_FILE = fileURLToPath(new URL("../fixtures/sops/age-key.txt", import.meta.url));
export const AGE_RECIPIENT = /age1[0-9a-z]+/.exec(readFileSync(AGE_KEY_FILE, "utf8"))?.[0] ?? "";

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@sigil.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@sigil.invalid" };

/** Commit to `repo`'s main: `files` written (null deletes), optionally tagged. Returns the commit. */
export function commit(repo: TestRepo, files: Readonly<Record<string, string | null>>, tag?: string): string {
  const work = mkdtempSync(join(tmpdir(), "sigil-commit-"));
  try {
    execFileSync("git", ["clone", "-q", repo.path, work], { env: GIT_ENV });
    for (const [f, c] of Object.entries(files)) {
      if (c === null) rmSync(join(work, f), { force: true, recursive: true });
      else {
        mkdirSync(dirname(join(work, f)), { recursive: true });
        writeFileSync(join(work, f), c);
      }
    }
    execFileSync("git", ["add", "-A"], { cwd: work, env: GIT_ENV });
    execFileSync("git", ["commit", "-qm", "change", "--allow-empty"], { cwd: work, env: GIT_ENV });
    if (tag !== undefined) execFileSync("git", ["tag", tag], { cwd: work, env: GIT_ENV });
    execFileSync("git", ["push", "-q", "origin", "main", "--tags"], { cwd: work, env: GIT_ENV });
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: work, encoding: "utf8" }).trim();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The SOPS key environment for the peers (age fixture key, KMS emulator, OpenBao). */
export function keyEnv(): Record<string, string> {
  const p = peers();
  return {
    SOPS_AGE_KEY_FILE: AGE_KEY_FILE,
    AWS_ENDPOINT_URL_KMS: p.kms.endpoint,
    AWS_REGION: p.kms.region,
    AWS_ACCESS_KEY_ID: "sigil-test",
    AWS_SECRET_ACCESS_KEY: "sigil-test",
    VAULT_ADDR: p.vault.addr,
    VAULT_TOKEN: p.vault.token,
  };
}

/** Encrypt `text` with the real sops (`keyFlags`: `--age R`, `--kms ARN`, `--hc-vault-transit URI`); `name` gives the format. */
export function sopsEncrypt(text: string, name: string, keyFlags: readonly string[], regex = "^(data|stringData)$"): string {
  const dir = mkdtempSync(join(tmpdir(), "sigil-sops-"));
  try {
    writeFileSync(join(dir, name), text);
    const rule = name.endsWith(".yaml") ? ["--encrypted-regex", regex] : [];
    return execFileSync(peerBin("sops"), ["encrypt", ...keyFlags, ...rule, name], { cwd: dir, env: { PATH: process.env["PATH"] ?? "", HOME: dir, SOPS_DISABLE_VERSION_CHECK: "1", ...keyEnv() }, encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SyncRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly logs: string;
}

/** `sigil sync --once …` in this process, against the environment's cluster. */
export async function sigilSync(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<SyncRun> {
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const code = await runCli(["sync", "--once", "--kubeconfig", peers().kube.kubeconfig, "--kustomize", peerBin("kustomize"), ...args], {
    stdin: new PassThrough(),
    stdout: { write: (s: string | Uint8Array) => out.push(Buffer.from(s).toString()) },
    stderr: { write: (s: string | Uint8Array) => err.push(Buffer.from(s).toString()) },
    env: { PATH: process.env["PATH"] ?? "", HOME: tmpdir(), ...keyEnv(), ...env },
    cwd: process.cwd(),
    logger: new Logger({ level: "debug", sink: (l) => logs.push(l) }),
  });
  return { code, stdout: out.join(""), stderr: err.join(""), logs: logs.join("\n") };
}
