/**
 * Git credentials handed to git without ever touching `.git/config`, argv or
 * a log: an `http.extraHeader` in the environment (`GIT_CONFIG_*`), a CA file
 * and an SSH key in a private temporary directory (0700, files 0600) that
 * `cleanup()` removes.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SigilError, registerSecret } from "../../core/index.js";
import type { GitCredentials } from "./types.js";
import type { Transport } from "./url.js";

export interface GitAuth {
  /** Environment variables to add to git's. */
  readonly env: Readonly<Record<string, string>>;
  cleanup(): Promise<void>;
}

function shellQuote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

function httpHeader(creds: GitCredentials): string | undefined {
  if (creds.bearerToken !== undefined && creds.bearerToken !== "") {
    registerSecret(creds.bearerToken);
    return `Authorization: Bearer ${creds.bearerToken}`;
  }
  if (creds.username !== undefined && creds.password !== undefined) {
    registerSecret(creds.password);
    const basic = Buffer.from(`${creds.username}:${creds.password}`).toString("base64");
    registerSecret(basic);
    return `Authorization: Basic ${basic}`;
  }
  return undefined;
}

async function httpsEnv(creds: GitCredentials, dir: () => Promise<string>): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const config: [string, string][] = [];
  const header = httpHeader(creds);
  if (header !== undefined) config.push(["http.extraHeader", header]);
  if (creds.caCrt !== undefined && creds.caCrt !== "") {
    const ca = join(await dir(), "ca.crt");
    await writeFile(ca, creds.caCrt, { mode: 0o600, flag: "wx" });
    env["GIT_SSL_CAINFO"] = ca;
  }
  env["GIT_CONFIG_COUNT"] = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

async function sshEnv(creds: GitCredentials, dir: () => Promise<string>): Promise<Record<string, string>> {
  if (creds.knownHosts === undefined || creds.knownHosts.trim() === "") {
    throw new SigilError("source.invalid", "an SSH source needs known_hosts in its Secret (host keys are never accepted blindly)", { subject: "secretRef" });
  }
  if (creds.identity === undefined || creds.identity.trim() === "") {
    throw new SigilError("source.invalid", "an SSH source needs identity (a private key) in its Secret", { subject: "secretRef" });
  }
  registerSecret(creds.identity);
  const d = await dir();
  const key = join(d, "identity");
  const hosts = join(d, "known_hosts");
  await writeFile(key, creds.identity.endsWith("\n") ? creds.identity : `${creds.identity}\n`, { mode: 0o600, flag: "wx" });
  await writeFile(hosts, creds.knownHosts, { mode: 0o600, flag: "wx" });
  const command = [
    "ssh -F /dev/null",
    `-i ${shellQuote(key)}`,
    "-o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes",
    `-o UserKnownHostsFile=${shellQuote(hosts)} -o GlobalKnownHostsFile=/dev/null`,
  ].join(" ");
  return { GIT_SSH_COMMAND: command };
}

/**
 * Prepare what git needs for `transport` and `creds` (nothing for file://).
 * @throws SigilError `source.invalid` when SSH credentials lack a key or known_hosts.
 */
export async function prepareAuth(transport: Transport, creds: GitCredentials | undefined, tmpRoot: string): Promise<GitAuth> {
  let tmp: string | undefined;
  const dir = async (): Promise<string> => (tmp ??= await mkdtemp(join(tmpRoot, "sigil-git-auth-")));
  const cleanup = async (): Promise<void> => {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  };
  try {
    if (creds === undefined || transport === "file") return { env: {}, cleanup };
    const env = transport === "https" ? await httpsEnv(creds, dir) : await sshEnv(creds, dir);
    return { env, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
