/**
 * A `KubeConnection` (server, TLS material, Authorization header) from a
 * context of a merged kubeconfig: client certificates from files or inline
 * data, bearer tokens and token files (re-read, as they rotate), basic auth,
 * and exec plugins run by Sigil itself (`exec.ts`). Only users with a legacy
 * `auth-provider` go through `@kubernetes/client-node`, loaded just then
 * (ADR 0003).
 */
import { SigilError } from "../../core/index.js";
import { defaultReadFile, str } from "./document.js";
import type { Entry, Fields, ReadFile } from "./document.js";
import { defaultRunCommand, execPlugin } from "./exec.js";
import type { ExecCredential, RunCommand } from "./exec.js";
import type { MergedKubeconfig } from "./merge.js";

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
  /**
   * The client certificate and key for new connections, when they can
   * change while the process runs (an exec plugin's, renewed before they
   * expire). Consulted before each request; `tls.cert`/`tls.key` hold the
   * first ones. Absent for connections whose certificate is fixed.
   */
  clientCertificate?(): Promise<ClientCertificate | undefined>;
  /**
   * The server answered 401 Unauthorized to a request made with the
   * current credentials: drop them, so that the next request gets fresh
   * ones (an exec plugin runs again). Absent when nothing can be refreshed.
   */
  unauthorized?(): void;
}

/** A client certificate and its private key (PEM). */
export interface ClientCertificate {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** What building a connection may need from outside (injected in tests). */
export interface ConnectionDeps {
  readonly read: ReadFile;
  /** Runs exec credential plugins. */
  readonly run: RunCommand;
  /** The environment exec plugins inherit. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => number;
}

/** The default {@link ConnectionDeps}: real files, processes, environment and clock. */
export function defaultConnectionDeps(): ConnectionDeps {
  return { read: defaultReadFile, run: defaultRunCommand, env: process.env, now: Date.now };
}

function material(fields: Fields, dataKey: string, fileKey: string, read: ReadFile, subject: string): Buffer | undefined {
  const data = str(fields[dataKey]);
  if (data !== undefined) return Buffer.from(data, "base64");
  const file = str(fields[fileKey]);
  if (file === undefined) return undefined;
  try {
    return read(file);
  } catch (cause) {
    throw new SigilError("config.invalid", `the kubeconfig names ${fileKey} '${file}', which cannot be read`, { subject, cause });
  }
}

/** The context, cluster and user a connection is built from. */
export interface ResolvedContext {
  readonly name: string;
  readonly context: Fields;
  readonly cluster: Entry;
  readonly user: Entry | undefined;
}

/**
 * The named context (default: `current-context`) with its cluster and user.
 * @throws SigilError `config.invalid` naming the files when the context, its cluster or the cluster's server is missing.
 */
export function resolveContext(config: MergedKubeconfig, contextName?: string): ResolvedContext {
  const subject = config.files.join(":");
  const name = contextName ?? config.currentContext;
  if (name === undefined) throw new SigilError("config.invalid", "the kubeconfig has no current context with a cluster and server; pass --context", { subject });
  const context = config.contexts.get(name);
  if (context === undefined) throw new SigilError("config.invalid", `context '${name}' is not in the kubeconfig`, { subject });
  const clusterName = str(context.fields["cluster"]);
  const cluster = clusterName === undefined ? undefined : config.clusters.get(clusterName);
  if (cluster === undefined || str(cluster.fields["server"]) === undefined) {
    throw new SigilError("config.invalid", `context '${name}' has no cluster with a server`, { subject: context.file });
  }
  const userName = str(context.fields["user"]);
  return { name, context: context.fields, cluster, user: userName === undefined ? undefined : config.users.get(userName) };
}

/**
 * A connection for a resolved context whose user needs no plugin (token,
 * token file, basic auth, client certificates, or nothing), or undefined
 * when the user has an `exec` plugin or an `auth-provider`.
 * @throws SigilError `config.invalid` for unreadable files.
 */
export function staticConnectionFor(resolved: ResolvedContext, deps: Pick<ConnectionDeps, "read" | "now"> = defaultConnectionDeps()): KubeConnection | undefined {
  const user = resolved.user?.fields ?? {};
  if (user["exec"] !== undefined || user["auth-provider"] !== undefined) return undefined;
  return { ...baseConnection(resolved, deps.read), authorization: userAuthorization(user, deps, subjectOf(resolved)) };
}

function subjectOf(resolved: ResolvedContext): string {
  return resolved.user?.file ?? resolved.cluster.file;
}

function baseConnection(resolved: ResolvedContext, read: ReadFile): Omit<KubeConnection, "authorization"> {
  const cluster = resolved.cluster.fields;
  const user = resolved.user?.fields ?? {};
  const subject = subjectOf(resolved);
  const tls: TlsMaterial = {
    ca: material(cluster, "certificate-authority-data", "certificate-authority", read, resolved.cluster.file),
    cert: material(user, "client-certificate-data", "client-certificate", read, subject),
    key: material(user, "client-key-data", "client-key", read, subject),
    rejectUnauthorized: cluster["insecure-skip-tls-verify"] === true ? false : undefined,
    servername: str(cluster["tls-server-name"]),
  };
  return { server: new URL(str(cluster["server"]) ?? ""), tls, namespace: str(resolved.context["namespace"]) };
}

/**
 * A connection for a resolved context. An exec plugin runs once here (its
 * first credential also fills the TLS material), then again, as client-go
 * runs it, when its credential is within 10 s of its `expirationTimestamp`
 * or after the server answered 401: a new token goes into the next
 * request's header, a new client certificate into new connections (see
 * `HttpKubeClient`).
 * @throws SigilError `config.invalid` for unreadable files or a bad exec block; `kube.unauthorized` when an exec plugin fails.
 */
export async function connectionFor(resolved: ResolvedContext, deps: ConnectionDeps = defaultConnectionDeps()): Promise<KubeConnection> {
  const user = resolved.user?.fields ?? {};
  const exec = user["exec"];
  if (user["auth-provider"] !== undefined && exec === undefined) return clientNodeConnection(resolved);
  const withoutPlugin: ResolvedContext = { ...resolved, user: resolved.user && { ...resolved.user, fields: { ...user, exec: undefined } } };
  const fixed = staticConnectionFor(withoutPlugin, deps) ?? { ...baseConnection(resolved, deps.read), authorization: () => Promise.resolve(undefined) };
  if (typeof exec !== "object" || exec === null) return fixed;
  const plugin = execPlugin(exec as Fields, execClusterInfo(resolved.cluster.fields), deps.env, subjectOf(resolved), deps.run, deps.now);
  const first = await plugin.credential();
  const certificates = new WeakMap<ExecCredential, ClientCertificate | undefined>();
  const certificateOf = (c: ExecCredential): ClientCertificate | undefined => {
    if (!certificates.has(c)) certificates.set(c, c.clientCertificateData === undefined || c.clientKeyData === undefined ? undefined : { cert: Buffer.from(c.clientCertificateData), key: Buffer.from(c.clientKeyData) });
    return certificates.get(c);
  };
  const firstCert = certificateOf(first);
  return {
    ...fixed,
    tls: firstCert === undefined ? fixed.tls : { ...fixed.tls, cert: firstCert.cert, key: firstCert.key },
    authorization: async () => {
      const token = (await plugin.credential()).token;
      return token === undefined ? fixed.authorization() : `Bearer ${token}`;
    },
    ...(firstCert === undefined ? {} : { clientCertificate: async () => certificateOf(await plugin.credential()) }),
    unauthorized: () => {
      plugin.invalidate();
    },
  };
}

/** The `Cluster` of an ExecCredential spec (for `provideClusterInfo`). */
function execClusterInfo(cluster: Fields): Record<string, unknown> {
  const info: Record<string, unknown> = { server: cluster["server"] };
  for (const key of ["certificate-authority-data", "insecure-skip-tls-verify", "tls-server-name", "proxy-url"]) if (cluster[key] !== undefined) info[key] = cluster[key];
  const extensions = Array.isArray(cluster["extensions"]) ? (cluster["extensions"] as { name?: unknown; extension?: unknown }[]) : [];
  const execExt = extensions.find((e) => e.name === "client.authentication.k8s.io/exec");
  if (execExt !== undefined) info["config"] = execExt.extension;
  return info;
}

function userAuthorization(user: Fields, deps: Pick<ConnectionDeps, "read" | "now">, subject: string): () => Promise<string | undefined> {
  const token = str(user["token"]);
  if (token !== undefined) return () => Promise.resolve(`Bearer ${token}`);
  const tokenFile = str(user["tokenFile"]);
  if (tokenFile !== undefined) return rotatingToken(tokenFile, deps, subject);
  const username = str(user["username"]);
  if (username !== undefined) {
    const basic = Buffer.from(`${username}:${str(user["password"]) ?? ""}`).toString("base64");
    return () => Promise.resolve(`Basic ${basic}`);
  }
  return () => Promise.resolve(undefined);
}

/** How often a token file is re-read (projected service-account tokens rotate; client-go re-reads every minute). */
export const TOKEN_FILE_REREAD_MS = 60_000;

/**
 * A token read from a file and re-read every {@link TOKEN_FILE_REREAD_MS}.
 * A failed re-read keeps the last token; a first read that fails is an error.
 */
export function rotatingToken(path: string, deps: Pick<ConnectionDeps, "read" | "now">, subject: string): () => Promise<string | undefined> {
  let value: string | undefined;
  let readAt = 0;
  return () => {
    if (value === undefined || deps.now() - readAt >= TOKEN_FILE_REREAD_MS) {
      try {
        value = deps.read(path).toString("utf8").trim();
        readAt = deps.now();
      } catch (cause) {
        if (value === undefined) return Promise.reject(new SigilError("config.invalid", `the token file '${path}' cannot be read`, { subject, cause }));
      }
    }
    return Promise.resolve(`Bearer ${value}`);
  };
}

/** Hand a legacy `auth-provider` user to client-node (loaded only here). */
async function clientNodeConnection(resolved: ResolvedContext): Promise<KubeConnection> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  const userName = resolved.user?.name ?? "user";
  kc.loadFromString(
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: resolved.cluster.name, cluster: resolved.cluster.fields }],
      users: [{ name: userName, user: resolved.user?.fields ?? {} }],
      contexts: [{ name: resolved.name, context: { ...resolved.context, cluster: resolved.cluster.name, user: userName } }],
      "current-context": resolved.name,
    }),
  );
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new SigilError("config.invalid", "the kubeconfig has no current cluster", { subject: resolved.cluster.file });
  const probe: { headers: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean } = { headers: {} };
  await kc.applyToHTTPSOptions(probe);
  return {
    server: new URL(cluster.server),
    tls: { ca: probe.ca, cert: probe.cert, key: probe.key, rejectUnauthorized: probe.rejectUnauthorized, servername: cluster.tlsServerName },
    namespace: str(resolved.context["namespace"]),
    authorization: async () => {
      const opts: { headers: Record<string, string> } = { headers: {} };
      await kc.applyToHTTPSOptions(opts);
      return opts.headers["Authorization"] ?? opts.headers["authorization"];
    },
  };
}
