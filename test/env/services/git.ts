/** Git servers: smart HTTPS with basic auth, SSH with a key and known_hosts, and file:// repositories. */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GitState } from "../state.js";
import type { Pki } from "../pki.js";
import { EnvError, freePort, run, startDaemon, waitUntil } from "../proc.js";
import type { Daemon } from "../proc.js";
import { SSHD_PATH } from "../prereqs.js";

const SSHD = SSHD_PATH;
const HTTPS_SERVER = fileURLToPath(new URL("../git-https-server.ts", import.meta.url));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => { resolve(false); });
  });
}

async function startHttps(dir: string, pki: Pki, root: string): Promise<{ daemon: Daemon; base: string; user: string; password: string }> {
  const port = await freePort();
  const user = "sigil";
  const password = randomBytes(12).toString("hex");
  const daemon = startDaemon("git-https", process.execPath, ["--import", "tsx", HTTPS_SERVER], {
    log: join(dir, "logs", "git-https.log"),
    env: {
      ...process.env,
      GIT_SERVER_PORT: String(port),
      GIT_SERVER_ROOT: root,
      GIT_SERVER_CERT: pki.serverCrt,
      GIT_SERVER_KEY: pki.serverKey,
      GIT_SERVER_USER: user,
      GIT_SERVER_PASSWORD: password,
    },
    cwd: fileURLToPath(new URL("../../..", import.meta.url)),
  });
  await waitUntil("git https server", () => portOpen(port), { timeoutMs: 15_000, daemon });
  return { daemon, base: `https://127.0.0.1:${port}/git`, user, password };
}

async function startSsh(dir: string): Promise<{ daemon: Daemon; base: string; key: string; knownHosts: string }> {
  if (!existsSync(SSHD)) {
    throw new EnvError("git ssh", `${SSHD} is missing`, "install it: apt-get update && apt-get install -y openssh-server (the CI script does this)");
  }
  const sshDir = join(dir, "ssh");
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  const hostKey = join(sshDir, "host_ed25519");
  const key = join(sshDir, "client_ed25519");
  if (!existsSync(hostKey)) run("git ssh keys", "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  if (!existsSync(key)) run("git ssh keys", "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  writeFileSync(join(sshDir, "authorized_keys"), readFileSync(`${key}.pub`), { mode: 0o600 });
  const port = await freePort();
  const config = join(sshDir, "sshd_config");
  writeFileSync(config, [
    `Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${hostKey}`, `PidFile ${join(sshDir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(sshDir, "authorized_keys")}`, "StrictModes no", "UsePAM no",
    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
    "PermitRootLogin prohibit-password", "LogLevel ERROR", "",
  ].join("\n"));
  // sshd needs its privilege-separation directory when it runs as root.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true });
  const daemon = startDaemon("sshd", SSHD, ["-D", "-e", "-f", config], { log: join(dir, "logs", "sshd.log") });
  const knownHosts = join(sshDir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, "utf8").split(" ").slice(0, 2).join(" ")}\n`);
  await waitUntil("git ssh server", () => portOpen(port), { timeoutMs: 10_000, daemon });
  return { daemon, base: `ssh://${userInfo().username}@127.0.0.1:${port}`, key, knownHosts };
}

export async function startGit(dir: string, pki: Pki): Promise<{ state: GitState; daemons: Daemon[] }> {
  const root = join(dir, "git");
  mkdirSync(root, { recursive: true });
  const [https, ssh] = await Promise.all([startHttps(dir, pki, root), startSsh(dir)]);
  return {
    daemons: [https.daemon, ssh.daemon],
    state: {
      httpsBase: https.base,
      user: https.user,
      password: https.password,
      caFile: pki.caCrt,
      sshBase: ssh.base,
      sshKey: ssh.key,
      knownHosts: ssh.knownHosts,
      root,
    },
  };
}
