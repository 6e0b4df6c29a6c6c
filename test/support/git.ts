/** Make test repositories in the environment's git root (served over HTTPS, SSH and file://). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { peers } from "./peers.js";

export interface TestRepo {
  readonly name: string;
  /** Absolute path of the bare repository. */
  readonly path: string;
  readonly fileUrl: string;
  readonly httpsUrl: string;
  readonly sshUrl: string;
}

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: "sigil-test", GIT_AUTHOR_EMAIL: "test@sigil.invalid", GIT_COMMITTER_NAME: "sigil-test", GIT_COMMITTER_EMAIL: "test@sigil.invalid" };

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" });
}

/** Create a bare repository `<name>.git` whose `main` branch holds `files`. */
export function createRepo(name: string, files: Readonly<Record<string, string>>): TestRepo {
  const env = peers();
  const path = join(env.git.root, `${name}.git`);
  git(env.git.root, "init", "--bare", "--initial-branch=main", path);
  const work = mkdtempSync(join(tmpdir(), "sigil-repo-"));
  try {
    git(work, "init", "--initial-branch=main");
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(dirname(join(work, file)), { recursive: true });
      writeFileSync(join(work, file), content);
    }
    git(work, "add", "-A");
    git(work, "commit", "-m", "initial");
    git(work, "push", path, "main");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return {
    name,
    path,
    fileUrl: `file://${path}`,
    httpsUrl: `${env.git.httpsBase}/${name}.git`,
    sshUrl: `${env.git.sshBase}${path}`,
  };
}

/** `GIT_SSH_COMMAND` for the environment's SSH server, with its known_hosts file (or another one). */
export function sshCommand(knownHosts = peers().git.knownHosts): string {
  const env = peers();
  return `ssh -i ${env.git.sshKey} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHosts}`;
}

/** A minimal environment for simple-git (it refuses inherited variables such as EDITOR or GIT_ASKPASS). */
export function gitEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const base: Record<string, string> = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/tmp", GIT_TERMINAL_PROMPT: "0" };
  return { ...base, ...extra };
}
