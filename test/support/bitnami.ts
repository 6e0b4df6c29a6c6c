/**
 * Test support for Sealed Secrets against real peers:
 *
 * - `ensureSealedSecretCrd()` installs the SealedSecret CRD once (Sigil's
 *   own from `crds/` when present, else bitnami's);
 * - `startBitnamiController()` runs the real bitnami controller against the
 *   test API server. It only reads in-cluster configuration, so it runs
 *   under `unshare -m` with a private bind mount of a temp dir over `/run`
 *   (`/var/run` is a link to it) holding the service-account files; the
 *   host's `/run` is never touched. Without `unshare` it falls back to
 *   writing the files under `/var/run/secrets/…` and removing them after.
 * - `startServiceProxyShim()` stands in for the API server's service proxy
 *   (which cannot reach a loopback controller): kubeseal talks to it as its
 *   API server; service-proxy paths go to a local controller, and every
 *   other request is forwarded to the real API server.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyObject } from "node:crypto";
import { KubeConfig } from "@kubernetes/client-node";
import { parse as parseYaml } from "yaml";
import { Logger } from "../../src/core/index.js";
import { buildKeySecret, generateSealingKeyPair, sealSecret } from "../../src/decrypt/sealed-secrets/index.js";
import type { SealOptions, SealedSecretCondition, SealedSecretObject, SecretObject } from "../../src/decrypt/sealed-secrets/index.js";
import { HttpKubeClient, kubeconfigConnection } from "../../src/kube/index.js";
import type { KubeClient, KubeConnection } from "../../src/kube/index.js";
import { freePort } from "../env/proc.js";
import { REPO_ROOT } from "../env/state.js";
import { bitnamiCrdPath } from "../env/tools.js";
import { peerBin, peers, uniqueName } from "./peers.js";

export { freePort } from "../env/proc.js";

const CRD_NAME = "sealedsecrets.bitnami.com";
const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** A KubeConfig loaded from a file (default: the admin kubeconfig of the environment). */
export function kubeConfig(path: string = peers().kube.kubeconfig): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** A connection for a kubeconfig file (default: the admin kubeconfig of the environment). */
export function kubeConnection(path: string = peers().kube.kubeconfig): KubeConnection {
  const connection = kubeconfigConnection(path);
  if (connection === undefined) throw new Error(`${path} needs an exec plugin or auth provider`);
  return connection;
}

/** A Sigil kube client for the admin identity. */
export function adminClient(): HttpKubeClient {
  return new HttpKubeClient(kubeConnection());
}

/** Poll `fn` until it returns a value other than undefined. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last === undefined ? "" : ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})`}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The CRD file to install: Sigil's own when it exists, else bitnami's. */
export function sealedSecretCrdFile(): string {
  const ours = join(REPO_ROOT, "crds", "bitnami.com_sealedsecrets.yaml");
  return existsSync(ours) ? ours : bitnamiCrdPath();
}

/** Install the SealedSecret CRD if the cluster does not have it, and wait until it is established. */
export async function ensureSealedSecretCrd(client: KubeClient = adminClient()): Promise<void> {
  if ((await client.get(`${CRD_PATH}/${CRD_NAME}`)) === undefined) {
    const crd = parseYaml(readFileSync(sealedSecretCrdFile(), "utf8")) as unknown;
    await client.create(CRD_PATH, crd).catch((err: unknown) => {
      if ((err as { code?: string }).code !== "kube.conflict") throw err;
    });
  }
  await waitFor("the SealedSecret CRD to be established", async () => {
    const crd = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`${CRD_PATH}/${CRD_NAME}`);
    return crd?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") === true ? true : undefined;
  }, 30_000, 200);
  // The new resource takes a moment to be served after it is established.
  await waitFor("sealedsecrets to be served", () => client.list("/apis/bitnami.com/v1alpha1/sealedsecrets").then(() => true), 30_000, 200);
}

/** Create a namespace. */
export async function createNamespace(name: string, client: KubeClient = adminClient()): Promise<void> {
  await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

/** Delete a namespace (not waiting for it to go). */
export async function deleteNamespace(name: string, client: KubeClient = adminClient()): Promise<void> {
  await client.delete(`/api/v1/namespaces/${name}`).catch(() => undefined);
}

/** The namespaces a suite creates (one per test, unique names), all deleted when it ends. */
export class TestNamespaces {
  readonly #names: string[] = [];

  /** Create a namespace named after `prefix` in each cluster of `clients`; it is deleted by {@link TestNamespaces.deleteAll}. */
  async create(prefix: string, ...clients: KubeClient[]): Promise<string> {
    const name = uniqueName(prefix);
    this.#names.push(name);
    for (const client of clients) await createNamespace(name, client);
    return name;
  }

  /** Delete every namespace created, in each cluster of `clients` (not waiting for them to go). */
  async deleteAll(...clients: KubeClient[]): Promise<void> {
    await Promise.all(this.#names.flatMap((name) => clients.map((client) => deleteNamespace(name, client))));
  }
}

/** Options of {@link startBitnamiController}. */
export interface BitnamiControllerOptions {
  /** Controller namespace (`POD_NAMESPACE`): where it reads and writes key Secrets. */
  readonly keyNamespace: string;
  /** Namespaces to reconcile besides the key namespace (`--all-namespaces=false --additional-namespaces`). */
  readonly namespaces: readonly string[];
  readonly extraArgs?: readonly string[];
}

/** A running bitnami controller. */
export interface RunningBitnamiController {
  /** `http://127.0.0.1:<port>` of its endpoints (`/v1/cert.pem`, …). */
  readonly url: string;
  readonly pid: number;
  /** Everything it printed so far. */
  logs(): string;
  stop(): Promise<void>;
}

function serviceAccountFiles(dir: string, keyNamespace: string): void {
  const env = peers();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "token"), env.kube.adminToken);
  writeFileSync(join(dir, "ca.crt"), readFileSync(env.kube.caFile));
  writeFileSync(join(dir, "namespace"), keyNamespace);
}

function hasUnshare(): boolean {
  return spawnSync("unshare", ["--mount", "--propagation", "private", "true"], { stdio: "ignore" }).status === 0;
}

/** Start the real bitnami controller and wait until its endpoints answer. */
export async function startBitnamiController(options: BitnamiControllerOptions): Promise<RunningBitnamiController> {
  const server = new URL(peers().kube.server);
  const listen = await freePort();
  const metrics = await freePort();
  const args = [
    `--listen-addr=127.0.0.1:${listen}`,
    `--listen-metrics-addr=127.0.0.1:${metrics}`,
    "--key-renew-period=0",
    "--all-namespaces=false",
    ...(options.namespaces.length > 0 ? [`--additional-namespaces=${options.namespaces.join(",")}`] : []),
    ...(options.extraArgs ?? []),
  ];
  const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port, POD_NAMESPACE: options.keyNamespace };
  const root = mkdtempSync(join(tmpdir(), "sigil-bitnami-"));
  let child: ChildProcess;
  let cleanup: () => void;
  if (hasUnshare()) {
    serviceAccountFiles(join(root, "secrets", "kubernetes.io", "serviceaccount"), options.keyNamespace);
    const script = 'mount --bind "$0" /run && exec "$@"';
    child = spawn("unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script, root, peerBin("sealed-secrets-controller"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    cleanup = () => { rmSync(root, { recursive: true, force: true }); };
  } else {
    if (existsSync(SERVICE_ACCOUNT_DIR)) throw new Error(`${SERVICE_ACCOUNT_DIR} exists and unshare is unavailable: refusing to overwrite it`);
    serviceAccountFiles(SERVICE_ACCOUNT_DIR, options.keyNamespace);
    child = spawn(peerBin("sealed-secrets-controller"), args, { env, stdio: ["ignore", "pipe", "pipe"] });
    cleanup = () => {
      rmSync(SERVICE_ACCOUNT_DIR, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    };
  }
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => { resolve(); }));
  const url = `http://127.0.0.1:${listen}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
  };
  try {
    await waitFor("the bitnami controller to serve /healthz", async () => {
      if (child.exitCode !== null) throw new Error(`bitnami controller exited with ${child.exitCode}: ${output.slice(-2000)}`);
      const res = await fetch(`${url}/healthz`).catch(() => undefined);
      return res?.ok === true ? true : undefined;
    }, 90_000, 200);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid ?? -1, logs: () => output, stop };
}

/** A running service-proxy shim. */
export interface ServiceProxyShim {
  /** A kubeconfig (admin token) whose server is the shim. */
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

const PROXY_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;

/** The service name in a proxy path segment: `http:name:port` → `name`. */
function serviceName(segment: string): string {
  const parts = decodeURIComponent(segment).split(":");
  return parts.length === 3 ? (parts[1] ?? "") : (parts[0] ?? "");
}

/**
 * Start the shim. `targets` maps `namespace/service` to a local base URL
 * (for example Sigil's endpoints `http://127.0.0.1:<port>`).
 */
export async function startServiceProxyShim(targets: Readonly<Record<string, string>>): Promise<ServiceProxyShim> {
  const env = peers();
  const api = new URL(env.kube.server);
  const ca = readFileSync(env.kube.caFile);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://shim");
    const m = PROXY_PATH.exec(url.pathname);
    const target = m === null ? undefined : targets[`${m[1] ?? ""}/${serviceName(m[2] ?? "")}`];
    if (m !== null && target !== undefined) {
      const upstream = http.request(new URL(`${m[3] ?? "/"}${url.search}`, target), { method: req.method, headers: { "content-type": req.headers["content-type"] ?? "application/json" } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    // client-go sends no bearer token over plain http, so the shim authenticates as the admin itself.
    const headers = { ...req.headers, host: api.host, authorization: req.headers.authorization ?? `Bearer ${env.kube.adminToken}` };
    const upstream = https.request({ host: api.hostname, port: api.port, path: req.url, method: req.method, headers, ca }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => { resolve(); }));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), "sigil-shim-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "shim", cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: "admin", user: { token: env.kube.adminToken } }],
      contexts: [{ name: "shim", context: { cluster: "shim", user: "admin", namespace: "default" } }],
      "current-context": "shim",
    }),
  );
  return {
    kubeconfig,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// Sigil's own controller, run in-process against the environment's API server.

/** A key pair with its PEM forms. */
export interface TestKeyPair {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  readonly publicKey: KeyObject;
}

const keyPairs = new Map<number, Promise<TestKeyPair>>();

/** A sealing key pair of `bits` (4096 by default), generated once per test worker. */
export function testKeyPair(bits = 4096, slot = 0): Promise<TestKeyPair> {
  const id = bits * 100 + slot;
  let pair = keyPairs.get(id);
  if (pair === undefined) {
    pair = generateSealingKeyPair({ keySize: bits }).then((p) => ({ privateKeyPem: p.privateKeyPem, certificatePem: p.certificate.pem, publicKey: p.certificate.publicKey }));
    keyPairs.set(id, pair);
  }
  return pair;
}

/** Store a plain, bitnami-shaped key Secret for `pair` in `namespace`. */
export async function putKeySecret(client: KubeClient, namespace: string, pair: TestKeyPair): Promise<SecretObject> {
  return client.create<SecretObject>(`/api/v1/namespaces/${namespace}/secrets`, buildKeySecret(pair, { namespace }));
}

/** Log lines of a controller, kept for assertions. */
export interface CapturedLogs {
  readonly lines: string[];
  readonly logger: Logger;
}

/** A debug-level logger that keeps every line (and echoes warnings and errors when SIGIL_TEST_LOGS=1). */
export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const echo = process.env["SIGIL_TEST_LOGS"] === "1";
  const logger = new Logger({
    level: "debug",
    sink: (line) => {
      lines.push(line);
      if (echo) process.stderr.write(`${line}\n`);
    },
  });
  return { lines, logger };
}

/** Seal a Secret for `publicKey` (Sigil's sealer, kubeseal-compatible output). */
export function sealed(publicKey: KeyObject, namespace: string, name: string, stringData: Record<string, string>, extra: Partial<SecretObject> = {}, options: Partial<SealOptions> = {}): SealedSecretObject {
  const secret: SecretObject = { apiVersion: "v1", kind: "Secret", ...extra, metadata: { name, namespace, ...(extra.metadata ?? {}) }, stringData };
  return sealSecret(secret, publicKey, options);
}

/** Paths of the test objects. */
export const paths = {
  secret: (ns: string, name: string) => `/api/v1/namespaces/${ns}/secrets/${name}`,
  secrets: (ns: string) => `/api/v1/namespaces/${ns}/secrets`,
  sealed: (ns: string, name: string) => `/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets/${name}`,
  sealedList: (ns: string) => `/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets`,
  events: (ns: string) => `/api/v1/namespaces/${ns}/events`,
};

/** A core/v1 Event as the tests read it. */
export interface TestEvent {
  reason: string;
  message: string;
  type: string;
  count?: number;
  involvedObject: { name?: string; kind?: string; uid?: string };
}

/** Events about `name` in `namespace`. */
export async function eventsFor(client: KubeClient, namespace: string, name: string): Promise<TestEvent[]> {
  const list = await client.list<TestEvent>(paths.events(namespace));
  return list.items.filter((e) => e.involvedObject.name === name);
}

/** The Synced condition of a SealedSecret once it is set for its current generation with the wanted status. */
export async function syncedCondition(client: KubeClient, namespace: string, name: string, status: "True" | "False", timeoutMs = 20_000): Promise<{ ss: SealedSecretObject; condition: SealedSecretCondition }> {
  return waitFor(`SealedSecret ${namespace}/${name} Synced=${status}`, async () => {
    const ss = await client.get<SealedSecretObject>(paths.sealed(namespace, name));
    const condition = ss?.status?.conditions?.find((c) => c.type === "Synced");
    if (ss === undefined || condition === undefined || condition.status !== status) return undefined;
    return ss.status?.observedGeneration === ss.metadata.generation ? { ss, condition } : undefined;
  }, timeoutMs);
}
