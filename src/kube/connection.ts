/**
 * How the operator reaches the API server: address, TLS material and the
 * Authorization header. Loaded from a kubeconfig file or the in-cluster
 * service account by a small reader of our own, because importing
 * `@kubernetes/client-node` costs about 125 MB of memory (it loads its whole
 * generated API even for `KubeConfig`). Users authenticated by an `exec`
 * plugin or an `auth-provider` are handed to client-node's `KubeConfig`,
 * loaded only then.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { YAMLError, parse as parseYaml } from "yaml";
import { SigilError } from "../core/index.js";

/** TLS material for the connection. */
export interface TlsMaterial {
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly rejectUnauthorized?: boolean | undefined;
  readonly servername?: string | undefined;
}

/** A way to reach one API server. */
export interface KubeConnection {
  readonly server: URL;
  readonly tls: TlsMaterial;
  /** The context's default namespace, if any. */
  readonly namespace: string | undefined;
  /** The `Authorization` header for the next request (tokens may rotate). */
  authorization(): Promise<string | undefined>;
}

/** What file reads go through (injected in tests). */
export type ReadFile = (path: string) => Buffer;

const defaultRead: ReadFile = (path) => readFileSync(path);

interface Named<T> {
  readonly name?: string;
  readonly [key: string]: unknown;
  readonly cluster?: T;
  readonly user?: T;
  readonly context?: T;
}

type Fields = Readonly<Record<string, unknown>>;

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function pick(list: unknown, name: string | undefined, field: "cluster" | "user" | "context"): Fields | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = (list as Named<Fields>[]).find((e) => e.name === name);
  return entry?.[field];
}

function material(fields: Fields, dataKey: string, fileKey: string, base: string, read: ReadFile, subject: string): Buffer | undefined {
  const data = str(fields[dataKey]);
  if (data !== undefined) return Buffer.from(data, "base64");
  const file = str(fields[fileKey]);
  if (file === undefined) return undefined;
  const path = isAbsolute(file) ? file : join(base, file);
  try {
    return read(path);
  } catch (cause) {
    throw new SigilError("config.invalid", `the kubeconfig names ${fileKey} '${path}', which cannot be read`, { subject, cause });
  }
}

/**
 * A connection from a kubeconfig file (its current context). Users
 * authenticated by an `exec` plugin or an `auth-provider` go through
 * client-node's `KubeConfig`, loaded only then.
 * @throws SigilError `config.invalid` naming the file when it does not parse, has no current context/cluster, or names unreadable files.
 */
export async function connectionFromKubeconfig(path: string, read: ReadFile = defaultRead): Promise<KubeConnection> {
  const connection = kubeconfigConnection(path, read);
  return connection ?? clientNodeConnection(path);
}

/**
 * The same, synchronously, without client-node: returns undefined when the
 * user needs an `exec` plugin or an `auth-provider`.
 * @throws SigilError as {@link connectionFromKubeconfig}.
 */
export function kubeconfigConnection(path: string, read: ReadFile = defaultRead): KubeConnection | undefined {
  let doc: Fields;
  try {
    doc = (parseYaml(read(path).toString("utf8")) ?? {}) as Fields;
  } catch (cause) {
    throw loadError(path, cause);
  }
  const context = pick(doc["contexts"], str(doc["current-context"]), "context");
  const cluster = pick(doc["clusters"], str(context?.["cluster"]), "cluster");
  const user = pick(doc["users"], str(context?.["user"]), "user") ?? {};
  const server = str(cluster?.["server"]);
  if (context === undefined || cluster === undefined || server === undefined) throw new SigilError("config.invalid", "the kubeconfig has no current context with a cluster and server", { subject: path });
  if (user["exec"] !== undefined || user["auth-provider"] !== undefined) return undefined;
  const base = dirname(path);
  const tls: TlsMaterial = {
    ca: material(cluster, "certificate-authority-data", "certificate-authority", base, read, path),
    cert: material(user, "client-certificate-data", "client-certificate", base, read, path),
    key: material(user, "client-key-data", "client-key", base, read, path),
    rejectUnauthorized: cluster["insecure-skip-tls-verify"] === true ? false : undefined,
    servername: str(cluster["tls-server-name"]),
  };
  return { server: new URL(server), tls, namespace: str(context["namespace"]), authorization: userAuthorization(user, base, read, path) };
}

/**
 * A YAML error is reported by its code and position only: its message quotes
 * the lines around the error, and a kubeconfig holds tokens and private keys.
 */
function loadError(path: string, cause: unknown): SigilError {
  if (!(cause instanceof YAMLError)) return new SigilError("config.invalid", "the kubeconfig does not load", { subject: path, cause });
  const at = cause.linePos?.[0];
  return new SigilError("config.invalid", `the kubeconfig does not load: invalid yaml (${cause.code}${at === undefined ? "" : ` at line ${at.line}, column ${at.col}`})`, { subject: path });
}

function userAuthorization(user: Fields, base: string, read: ReadFile, subject: string): () => Promise<string | undefined> {
  const token = str(user["token"]);
  if (token !== undefined) return () => Promise.resolve(`Bearer ${token}`);
  const tokenFile = str(user["tokenFile"]);
  if (tokenFile !== undefined) return rotatingToken(isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile), read, subject);
  const username = str(user["username"]);
  if (username !== undefined) {
    const basic = Buffer.from(`${username}:${str(user["password"]) ?? ""}`).toString("base64");
    return () => Promise.resolve(`Basic ${basic}`);
  }
  return () => Promise.resolve(undefined);
}

/** A token read from a file and re-read every minute (projected service-account tokens rotate). */
function rotatingToken(path: string, read: ReadFile, subject: string): () => Promise<string | undefined> {
  let value: string | undefined;
  let readAt = 0;
  return () => {
    if (value === undefined || Date.now() - readAt > 60_000) {
      try {
        value = read(path).toString("utf8").trim();
        readAt = Date.now();
      } catch (cause) {
        // A failed re-read keeps the last token; a first read that fails is an error.
        if (value === undefined) return Promise.reject(new SigilError("config.invalid", `the token file '${path}' cannot be read`, { subject, cause }));
      }
    }
    return Promise.resolve(`Bearer ${value}`);
  };
}

/** Where a pod's service account is mounted. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * The in-cluster connection: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the service account's CA and token.
 * @throws SigilError `config.invalid` when the variables or files are missing.
 */
export function inClusterConnection(env: Readonly<Record<string, string | undefined>>, read: ReadFile = defaultRead): KubeConnection {
  const host = env["KUBERNETES_SERVICE_HOST"];
  const port = env["KUBERNETES_SERVICE_PORT"];
  if (host === undefined || host === "" || port === undefined || port === "") {
    throw new SigilError("config.invalid", "not in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
  }
  let ca: Buffer;
  try {
    ca = read(join(SERVICE_ACCOUNT_DIR, "ca.crt"));
  } catch (cause) {
    throw new SigilError("config.invalid", "the service account ca.crt cannot be read", { subject: SERVICE_ACCOUNT_DIR, cause });
  }
  let namespace: string | undefined;
  try {
    namespace = read(join(SERVICE_ACCOUNT_DIR, "namespace")).toString("utf8").trim();
  } catch {
    namespace = undefined;
  }
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return { server: new URL(`https://${hostPart}:${port}`), tls: { ca }, namespace, authorization: rotatingToken(join(SERVICE_ACCOUNT_DIR, "token"), read, SERVICE_ACCOUNT_DIR) };
}

/** Hand exec plugins and auth providers to client-node (loaded only here). */
async function clientNodeConnection(path: string): Promise<KubeConnection> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new SigilError("config.invalid", "the kubeconfig has no current cluster", { subject: path });
  const probe: { headers: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean } = { headers: {} };
  await kc.applyToHTTPSOptions(probe);
  return {
    server: new URL(cluster.server),
    tls: { ca: probe.ca, cert: probe.cert, key: probe.key, rejectUnauthorized: probe.rejectUnauthorized, servername: cluster.tlsServerName },
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace,
    authorization: async () => {
      const opts: { headers: Record<string, string> } = { headers: {} };
      await kc.applyToHTTPSOptions(opts);
      return opts.headers["Authorization"] ?? opts.headers["authorization"];
    },
  };
}
