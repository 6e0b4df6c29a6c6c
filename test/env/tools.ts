/**
 * Peer binaries: where each comes from and how it is built into the cache.
 * Builds run `recipes/build.sh`, which builds in a temp dir and renames, so an
 * interrupted build never leaves a cache entry that looks complete.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EnvError } from "./proc.js";

/** Build groups in recipes/build.sh, and the version key each is cached under. */
export const PEERS = {
  k8s: "k8s-1.34.4",
  sops: "sops-v3.13.2",
  "sealed-secrets": "sealed-secrets-v0.36.6",
  kustomize: "kustomize-v5.8.1",
  age: "age-v1.3.1",
  "local-kms": "local-kms-v0.0.0-20260228092603-2a5e92d09ab6-loopback1",
  openbao: "openbao-2.7.2",
  "external-secrets": "external-secrets-0.16.2",
} as const;
export type Peer = keyof typeof PEERS;

/** Each tool `which` knows, and the peer that provides it. */
export const TOOLS: Readonly<Record<string, Peer>> = {
  "kube-apiserver": "k8s",
  "kube-controller-manager": "k8s",
  etcd: "k8s",
  kubectl: "k8s",
  sops: "sops",
  kubeseal: "sealed-secrets",
  "sealed-secrets-controller": "sealed-secrets",
  kustomize: "kustomize",
  age: "age",
  "age-keygen": "age",
  "local-kms": "local-kms",
  bao: "openbao",
  "external-secrets": "external-secrets",
};

const BUILD_SCRIPT = fileURLToPath(new URL("./recipes/build.sh", import.meta.url));

/** `$XDG_CACHE_HOME/sigil/peers` or `~/.cache/sigil/peers`. */
export function peerCacheRoot(): string {
  const base = process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache");
  return join(base, "sigil", "peers");
}

export function peerDir(peer: Peer): string {
  return join(peerCacheRoot(), PEERS[peer]);
}

export function isBuilt(peer: Peer): boolean {
  return existsSync(join(peerDir(peer), ".complete"));
}

const HINTS: Readonly<Record<string, string>> = {
  go: "install Go ≥ 1.26.2 and make sure `go` is on PATH (GOTOOLCHAIN=local is used: no toolchain download)",
  python3: "install Python 3 with the venv module (Debian: apt-get install python3-venv)",
};

export function explainBuildFailure(peer: Peer, output: string): string {
  if (/go: command not found|"go": executable file not found/.test(output)) return HINTS["go"]!;
  if (/requires go >= |go: .*requires go/.test(output)) return `a newer Go toolchain is needed for ${peer}: ${HINTS["go"]!}`;
  if (/proxy\.golang\.org|dial tcp|i\/o timeout|no such host|Could not find a version|HTTPError|Connection/.test(output)) {
    return "a package registry could not be reached (Go module proxy or PyPI); check the network or GOPROXY / PIP_INDEX_URL, then run again";
  }
  if (/venv|ensurepip/.test(output)) return HINTS["python3"]!;
  return `read the build output above; the cache under ${peerCacheRoot()} is left untouched`;
}

/** Build `peer` if its cache entry is missing. Prints one progress line with the duration. */
export async function ensurePeer(peer: Peer, log: (line: string) => void = (l) => process.stderr.write(l + "\n")): Promise<string> {
  if (isBuilt(peer)) return peerDir(peer);
  const started = Date.now();
  log(`[env] building ${PEERS[peer]} (cold cache; this runs once per version)…`);
  const output = await new Promise<{ code: number; out: string }>((resolve) => {
    const child = spawn("bash", [BUILD_SCRIPT, peer, peerCacheRoot()], { env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let pending = "";
    let current: { name: string; at: number } | undefined;
    const finishStep = (): void => {
      if (current !== undefined) log(`[env]   ${PEERS[peer]}: ${current.name}: ${((Date.now() - current.at) / 1000).toFixed(1)}s`);
    };
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      const text = d.toString();
      out += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines.filter((l) => l.startsWith("[step] "))) {
        finishStep();
        current = { name: line.slice(7), at: Date.now() };
      }
    });
    child.on("close", () => { finishStep(); });
    child.on("error", (e) => { resolve({ code: 127, out: out + e.message }); });
    child.on("close", (code) => { resolve({ code: code ?? 1, out }); });
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (output.code !== 0 || !isBuilt(peer)) {
    process.stderr.write(output.out.split("\n").slice(-25).join("\n") + "\n");
    throw new EnvError(`build ${peer}`, `building ${PEERS[peer]} failed after ${secs}s`, explainBuildFailure(peer, output.out));
  }
  log(`[env] built ${PEERS[peer]} in ${secs}s`);
  return peerDir(peer);
}

/** Absolute path of a tool, building its peer first if needed. */
export async function which(tool: string): Promise<string> {
  const peer = TOOLS[tool];
  if (peer === undefined) throw new EnvError("which", `unknown tool '${tool}'`, `known tools: ${Object.keys(TOOLS).join(", ")}`);
  const dir = await ensurePeer(peer);
  return join(dir, "bin", tool);
}

/** True when some peer is not in the cache yet (so `up` will build, and needs Go and Python). */
export function anyPeerMissing(): boolean {
  return (Object.keys(PEERS) as Peer[]).some((p) => !isBuilt(p));
}

/** Build every peer, one after another (2 cores: parallel Go builds only thrash). */
export async function ensureAllPeers(): Promise<Record<string, string>> {
  for (const peer of Object.keys(PEERS) as Peer[]) await ensurePeer(peer);
  const bins: Record<string, string> = {};
  for (const tool of Object.keys(TOOLS)) bins[tool] = join(peerDir(TOOLS[tool]!), "bin", tool);
  return bins;
}

/** The sealed-secrets CRD that ships with the controller module (for peer tests). */
export function bitnamiCrdPath(): string {
  return join(peerDir("sealed-secrets"), "bitnami.com_sealedsecrets.yaml");
}

/** ESO's version, as its Go module spells it. */
export const ESO_VERSION = "v0.16.2";

/**
 * The directory of ESO's upstream CRDs (`config/crds/bases`): the copy the
 * peer build makes, else the Go module cache the build downloaded them to.
 */
export function esoCrdDir(): string {
  const built = join(peerDir("external-secrets"), "crds");
  if (existsSync(built)) return built;
  const modcache = process.env["GOMODCACHE"] ?? join(process.env["GOPATH"] ?? join(homedir(), "go"), "pkg", "mod");
  return join(modcache, "github.com", "external-secrets", `external-secrets@${ESO_VERSION}`, "config", "crds", "bases");
}

export function etcdVersion(): string {
  const f = join(peerDir("k8s"), "etcd-version");
  return existsSync(f) ? readFileSync(f, "utf8").trim() : "unknown";
}
