/**
 * The HTTP layer of the Vault KV client: one connection per store
 * (`server`, CA, client certificate, extra headers), requests to
 * `{server}/v1/<path>` with the headers ESO's Vault client sends, bounded
 * response bodies, and no request or response body ever in an error.
 */
import http from "node:http";
import https from "node:https";
import { SigilError, isNetworkErrorCode } from "../../../core/index.js";
import { vaultMessage } from "../errors.js";
import { parseJson } from "./json.js";
import type { JsonValue } from "./json.js";

/** How to reach one Vault server. */
export interface VaultConnection {
  /** `scheme://host[:port]` (a trailing slash is ignored). */
  readonly server: string;
  /** PEM CA bundle for https. */
  readonly caPem?: string | undefined;
  /** Client certificate and key (PEM) for mutual TLS (the `tls` setting and `cert` auth). */
  readonly clientCertPem?: string | undefined;
  readonly clientKeyPem?: string | undefined;
  /** Extra headers on every request. */
  readonly headers: Readonly<Record<string, string>>;
  /** Adds `X-Vault-Inconsistent: forward-active-node`. */
  readonly forwardInconsistent: boolean;
  /** Send back the last `X-Vault-Index` seen (read-your-writes). */
  readonly readYourWrites: boolean;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export function defaultVaultConnection(server: string): VaultConnection {
  return { server, headers: {}, forwardInconsistent: false, readYourWrites: false, timeoutMs: 15_000, maxResponseBytes: 4 * 1024 * 1024 };
}

/** One request. `path` is relative to `/v1/`. */
export interface VaultRequest {
  readonly method: "GET" | "PUT" | "POST";
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly token?: string | undefined;
  /** `X-Vault-Namespace`. */
  readonly namespace?: string | undefined;
}

/** A response: the status and the parsed JSON body (`null` when empty). */
export interface VaultResponse {
  readonly status: number;
  readonly body: JsonValue;
}

/** What sends requests (a fake in unit tests, {@link HttpVaultTransport} otherwise). */
export interface VaultTransport {
  send(req: VaultRequest): Promise<VaultResponse>;
  /** Release sockets. */
  close(): void;
}

/** The transport over node:http(s), one keep-alive agent per connection. */
export class HttpVaultTransport implements VaultTransport {
  readonly #conn: VaultConnection;
  readonly #base: URL;
  readonly #agent: http.Agent;
  #index: string | undefined;

  constructor(connection: VaultConnection) {
    this.#conn = connection;
    this.#base = new URL(connection.server.replace(/\/+$/, "") + "/");
    if (this.#base.protocol !== "http:" && this.#base.protocol !== "https:") {
      throw new SigilError("config.invalid", "vault server must be an http or https url", { subject: connection.server });
    }
    this.#agent = this.#base.protocol === "https:"
      ? new https.Agent({ keepAlive: true, maxSockets: 8, ...(connection.caPem === undefined ? {} : { ca: connection.caPem }), ...(connection.clientCertPem === undefined ? {} : { cert: connection.clientCertPem, key: connection.clientKeyPem }) })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  async send(req: VaultRequest): Promise<VaultResponse> {
    const url = new URL(`v1/${req.path.replace(/^\/+/, "")}`, this.#base);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const { status, text, index } = await this.#request(url, req, body);
    if (index !== undefined && this.#conn.readYourWrites) this.#index = index;
    return { status, body: text.trim() === "" ? null : parseJson(text, `vault ${req.path}`) };
  }

  close(): void {
    this.#agent.destroy();
  }

  #headers(req: VaultRequest, body: string | undefined): Record<string, string> {
    const h: Record<string, string> = { ...this.#conn.headers, "X-Vault-Request": "true", Accept: "application/json" };
    if (req.token !== undefined) h["X-Vault-Token"] = req.token;
    if (req.namespace !== undefined && req.namespace !== "") h["X-Vault-Namespace"] = req.namespace;
    if (this.#conn.forwardInconsistent) h["X-Vault-Inconsistent"] = "forward-active-node";
    if (this.#conn.readYourWrites && this.#index !== undefined) h["X-Vault-Index"] = this.#index;
    if (body !== undefined) {
      h["Content-Type"] = "application/json";
      h["Content-Length"] = String(Buffer.byteLength(body));
    }
    return h;
  }

  #request(url: URL, req: VaultRequest, body: string | undefined): Promise<{ status: number; text: string; index: string | undefined }> {
    const lib = url.protocol === "https:" ? https : http;
    const subject = `vault ${req.method} ${req.path}`;
    return new Promise((resolve, reject) => {
      const r = lib.request(url, { method: req.method, headers: this.#headers(req, body), agent: this.#agent, timeout: this.#conn.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > this.#conn.maxResponseBytes) {
            res.destroy();
            reject(new SigilError("input.too_large", `vault response over ${this.#conn.maxResponseBytes} bytes`, { subject }));
          } else chunks.push(c);
        });
        res.on("end", () => {
          const index = res.headers["x-vault-index"];
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), index: typeof index === "string" ? index : undefined });
        });
        res.on("error", (e) => { reject(networkError(e, subject)); });
      });
      r.on("timeout", () => r.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
      r.on("error", (e) => { reject(networkError(e, subject)); });
      r.end(body);
    });
  }
}

function networkError(e: Error & { code?: string }, subject: string): SigilError {
  const code = e.code ?? "error";
  if (isNetworkErrorCode(code)) return new SigilError("provider.unreachable", `the vault server could not be reached (${code})`, { subject, cause: new Error(code) });
  return new SigilError("provider.failed", `vault request failed (${code})`, { subject, cause: new Error(code) });
}

/** A SigilError for a non-2xx status. */
export function statusError(status: number, body: JsonValue, what: string, subject: string): SigilError {
  const detail = vaultMessage(body) ?? `http ${status}`;
  if (status === 401 || status === 403) return new SigilError("provider.denied", `${what}: access denied (${detail})`, { subject });
  if (status === 429 || status >= 500) return new SigilError("provider.unreachable", `${what}: the server is not available (${detail})`, { subject });
  return new SigilError("provider.failed", `${what}: ${detail}`, { subject });
}
