/**
 * The `KubeClient` over HTTP(S): a `KubeConnection` (see `connection.ts`)
 * gives the server, TLS material and Authorization header; requests go
 * through `node:https` with one keep-alive agent, and bodies stay plain JSON.
 */
import http from "node:http";
import https from "node:https";
import { createInterface } from "node:readline";
import { SigilError } from "../core/index.js";
import type { ClientCertificate, KubeConnection } from "./kubeconfig/index.js";
import { apiError, networkError } from "./errors.js";
import { PATCH_TYPES } from "./types.js";
import type { KubeClient, ListPage, PatchType, Query, WatchEvent } from "./types.js";

/** Options of {@link HttpKubeClient}. */
export interface HttpKubeClientOptions {
  /** Timeout of one non-watch request. */
  readonly requestTimeoutMs: number;
  /** Connections kept per host. */
  readonly maxSockets: number;
  readonly userAgent: string;
  /** Largest response body read (a watch event line is capped at the same size). */
  readonly maxResponseBytes: number;
  /**
   * Act as this user (`Impersonate-User`), e.g. `system:serviceaccount:<ns>:<name>`. For a service
   * account the API server adds its groups (`system:serviceaccounts`, `system:serviceaccounts:<ns>`)
   * itself, as it does for Flux and `kubectl --as`; the caller needs `impersonate` on `serviceaccounts`.
   */
  readonly impersonateUser?: string | undefined;
}

export function defaultHttpKubeClientOptions(): HttpKubeClientOptions {
  return { requestTimeoutMs: 30_000, maxSockets: 16, userAgent: "sigil", maxResponseBytes: 256 * 1024 * 1024 };
}

interface Body {
  readonly text: string;
  readonly type: string;
}

type Agent = http.Agent | https.Agent;

/** A `KubeClient` for one connection. */
export class HttpKubeClient implements KubeClient {
  readonly #conn: KubeConnection;
  readonly #opts: HttpKubeClientOptions;
  #agent: Agent | undefined;
  /** The client certificate the agent's connections present (when the connection's can change). */
  #agentCert: ClientCertificate | undefined;

  constructor(connection: KubeConnection, options: Partial<HttpKubeClientOptions> = {}) {
    this.#conn = connection;
    this.#opts = { ...defaultHttpKubeClientOptions(), ...options };
  }

  /** The API server's address. */
  get server(): URL {
    return this.#conn.server;
  }

  /** The user this client impersonates, if any. */
  get impersonating(): string | undefined {
    return this.#opts.impersonateUser;
  }

  /**
   * A client for the same connection that acts as `user` (see {@link HttpKubeClientOptions.impersonateUser}).
   * It has its own connection pool: `close()` it when done.
   */
  as(user: string): HttpKubeClient {
    return new HttpKubeClient(this.#conn, { ...this.#opts, impersonateUser: user });
  }

  /** The connection's default namespace. */
  get namespace(): string | undefined {
    return this.#conn.namespace;
  }

  async get<T>(path: string, query?: Query): Promise<T | undefined> {
    const res = await this.#send("GET", path, query);
    if (res.status === 404) return undefined;
    return this.#parse(res, "GET", path) as T;
  }

  async list<T>(path: string, query?: Query): Promise<ListPage<T>> {
    const res = await this.#send("GET", path, query);
    const list = this.#parse(res, "GET", path) as { items?: T[] | null; metadata?: { resourceVersion?: string; continue?: string } };
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? "", continue: list.metadata?.continue };
  }

  async create<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.#parse(await this.#send("POST", path, query, json(body)), "POST", path) as T;
  }

  async replace<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.#parse(await this.#send("PUT", path, query, json(body)), "PUT", path) as T;
  }

  async patch<T>(path: string, body: unknown, type: PatchType, query?: Query): Promise<T> {
    const res = await this.#send("PATCH", path, query, { text: JSON.stringify(body), type: PATCH_TYPES[type] });
    return this.#parse(res, "PATCH", path) as T;
  }

  async delete(path: string, query?: Query): Promise<boolean> {
    const res = await this.#send("DELETE", path, query);
    if (res.status === 404) return false;
    this.#parse(res, "DELETE", path);
    return true;
  }

  async watch<T>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    let res: http.IncomingMessage | undefined;
    for (let attempt = 0; ; attempt++) {
      const req = await this.#request("GET", path, { ...query, watch: true }, undefined, 0);
      res = await responseOf(req, signal, "GET", path);
      if (res?.statusCode !== 401 || attempt > 0 || this.#conn.unauthorized === undefined) break;
      res.resume();
      this.#conn.unauthorized();
    }
    if (res === undefined) return;
    if (res.statusCode !== 200) {
      const text = await readBody(res, this.#opts.maxResponseBytes, "WATCH", path);
      throw apiError(res.statusCode ?? 0, text.toString("utf8"), "WATCH", path);
    }
    await streamEvents(res, onEvent, signal, path);
  }

  /**
   * One request whose answer is not mapped to an error (any status is
   * returned): for service proxies and other non-JSON endpoints. The body
   * is capped at `maxResponseBytes`.
   * @throws SigilError `kube.unreachable` when there is no answer.
   */
  async raw(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: { readonly text: string; readonly type: string }, accept = "*/*"): Promise<{ status: number; body: Buffer }> {
    const req = await this.#request(method, path, undefined, body, this.#opts.requestTimeoutMs, accept);
    const res = await responseOf(req, undefined, method, path);
    if (res === undefined) throw networkError(new Error("aborted"), method, path);
    return { status: res.statusCode ?? 0, body: await readBody(res, this.#opts.maxResponseBytes, method, path) };
  }

  /**
   * One request and its whole answer. A 401 with credentials that can be
   * refreshed (an exec plugin's) refreshes them and sends the request once
   * more: the server acted on nothing it refused.
   */
  async #send(method: string, path: string, query?: Query, body?: Body): Promise<{ status: number; text: string }> {
    for (let attempt = 0; ; attempt++) {
      const req = await this.#request(method, path, query, body, this.#opts.requestTimeoutMs);
      const res = await responseOf(req, undefined, method, path);
      if (res === undefined) throw networkError(new Error("aborted"), method, path);
      const answer = { status: res.statusCode ?? 0, text: (await readBody(res, this.#opts.maxResponseBytes, method, path)).toString("utf8") };
      if (answer.status !== 401 || attempt > 0 || this.#conn.unauthorized === undefined) return answer;
      this.#conn.unauthorized();
    }
  }

  #parse(res: { status: number; text: string }, method: string, path: string): unknown {
    if (res.status < 200 || res.status > 299) throw apiError(res.status, res.text, method, path);
    try {
      return JSON.parse(res.text) as unknown;
    } catch (cause) {
      throw new SigilError("kube.failed", `${method.toLowerCase()} failed: the api server answered with invalid json`, { subject: path, cause });
    }
  }

  async #request(method: string, path: string, query: Query | undefined, body: Body | undefined, timeoutMs: number, accept = "application/json"): Promise<http.ClientRequest> {
    const server = this.#conn.server;
    const url = new URL(server.pathname.replace(/\/$/, "") + path, server);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: http.OutgoingHttpHeaders = { Accept: accept, "User-Agent": this.#opts.userAgent };
    const authorization = await this.#conn.authorization();
    if (authorization !== undefined) headers["Authorization"] = authorization;
    if (this.#opts.impersonateUser !== undefined) headers["Impersonate-User"] = this.#opts.impersonateUser;
    if (body !== undefined) {
      headers["Content-Type"] = body.type;
      headers["Content-Length"] = Buffer.byteLength(body.text);
    }
    const transport = url.protocol === "https:" ? https : http;
    const req = transport.request(url, { method, headers, agent: await this.#agentFor() });
    if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs}ms`)));
    req.end(body?.text);
    return req;
  }

  /**
   * One keep-alive agent with the connection's TLS material. When the
   * connection's client certificate changes (an exec plugin renewed it),
   * new requests go through a new agent with the new certificate, as
   * client-go does; the old agent's idle connections are closed, and those
   * still busy (a watch) are closed when their request ends.
   */
  async #agentFor(): Promise<Agent> {
    const current = await this.#conn.clientCertificate?.();
    if (this.#agent !== undefined && (current === undefined || sameCertificate(current, this.#agentCert))) return this.#agent;
    if (this.#agent !== undefined) retire(this.#agent);
    const common = { keepAlive: true, maxSockets: this.#opts.maxSockets };
    const tls = this.#conn.tls;
    this.#agentCert = current;
    this.#agent =
      this.#conn.server.protocol === "https:"
        ? new https.Agent({
            ...common,
            ca: tls.ca,
            cert: current?.cert ?? tls.cert,
            key: current?.key ?? tls.key,
            servername: tls.servername,
            ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
          })
        : new http.Agent(common);
    return this.#agent;
  }

  /** Close idle connections (at shutdown). */
  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }
}

function sameCertificate(a: ClientCertificate, b: ClientCertificate | undefined): boolean {
  return b !== undefined && a.cert.equals(b.cert) && a.key.equals(b.key);
}

/** Stop reusing an agent's connections: close the idle ones now, the busy ones when their request ends. */
function retire(agent: Agent): void {
  // Node reads `agent.keepAlive` each time a request frees its socket: false destroys the socket instead of pooling it.
  (agent as unknown as { keepAlive: boolean }).keepAlive = false;
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}

function json(body: unknown): Body {
  return { text: JSON.stringify(body), type: "application/json" };
}

/** Wait for the response; undefined when `signal` aborted first. */
function responseOf(req: http.ClientRequest, signal: AbortSignal | undefined, method: string, path: string): Promise<http.IncomingMessage | undefined> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      req.destroy();
      resolve(undefined);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    req.once("response", (res) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(res);
    });
    req.once("error", (err) => {
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted === true) resolve(undefined);
      else reject(networkError(err, method, path));
    });
  });
}

async function readBody(res: http.IncomingMessage, maxBytes: number, method: string, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      res.destroy();
      throw new SigilError("kube.failed", `${method.toLowerCase()} failed: the answer is larger than ${maxBytes} bytes`, { subject: path });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parse newline-delimited watch events until the stream ends or aborts. ERROR events are thrown. */
async function streamEvents<T>(res: http.IncomingMessage, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal, path: string): Promise<void> {
  const lines = createInterface({ input: res, crlfDelay: Infinity });
  // Destroying the response does not end a readline interface: close it too.
  const onAbort = (): void => {
    lines.close();
    res.destroy();
  };
  res.once("close", () => {
    lines.close();
  });
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const line of lines) {
      if (line.trim() === "") continue;
      const event = JSON.parse(line) as WatchEvent<T>;
      if (event.type === "ERROR") {
        const status = event.object as { code?: number };
        throw apiError(status.code ?? 500, JSON.stringify(event.object), "WATCH", path);
      }
      onEvent(event);
    }
  } catch (err) {
    if (signal.aborted) return;
    if (err instanceof SigilError) throw err;
    throw networkError(err, "WATCH", path);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
