/**
 * The HTTP endpoints kubeseal talks to (docs/formats.md#b4-controller-keys-and-endpoints): `GET /v1/cert.pem`,
 * `POST /v1/verify` (200 / 409, rate-limited), `POST /v1/rotate` and
 * `GET /healthz`. Listens on loopback unless told otherwise.
 */
import http from "node:http";
import { describeError, isSigilError, redact } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import type { SealedSecretObject } from "../../decrypt/sealed-secrets/index.js";
import type { RateLimiter } from "../../kube/runtime/index.js";
import { parseSealedSecretBody } from "./endpoints.js";

/** What the endpoints do; the controller provides them. */
export interface EndpointHandlers {
  /** The newest certificate PEM, or undefined when there is no key. */
  certificatePem(): string | undefined;
  /** True when the SealedSecret unseals with the controller's keys. */
  verify(ss: SealedSecretObject): boolean;
  /** The SealedSecret re-encrypted with the newest key. @throws SigilError `sealed.*` when it cannot be opened. */
  rotate(ss: SealedSecretObject): SealedSecretObject;
}

/** Options of {@link createEndpointServer}. */
export interface EndpointServerOptions {
  readonly verifyLimiter: RateLimiter;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
}

/** The server (not yet listening). */
export function createEndpointServer(handlers: EndpointHandlers, options: EndpointServerOptions): http.Server {
  return http.createServer((req, res) => {
    void route(req, res, handlers, options).catch((err: unknown) => {
      options.logger.error("http handler failed", { path: req.url, error: describeError(err) });
      send(res, 500, "internal error\n");
    });
  });
}

async function route(req: http.IncomingMessage, res: http.ServerResponse, h: EndpointHandlers, o: EndpointServerOptions): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path === "/healthz") {
    send(res, 200, "ok\n");
  } else if (path === "/v1/cert.pem") {
    cert(res, h);
  } else if (path !== "/v1/verify" && path !== "/v1/rotate") {
    send(res, 404, "not found\n");
  } else if (req.method !== "POST") {
    send(res, 405, "method not allowed\n");
  } else if (path === "/v1/verify" && limited(req, res, o)) {
    return;
  } else {
    const body = await readBody(req, o.maxBodyBytes);
    if (body === undefined) send(res, 413, "request body too large\n");
    else if (path === "/v1/verify") verify(res, h, body, o);
    else rotate(res, h, body, o);
  }
}

/** Take a `/v1/verify` token; answers 429 and returns true when there is none. */
function limited(req: http.IncomingMessage, res: http.ServerResponse, o: EndpointServerOptions): boolean {
  const wait = o.verifyLimiter.take(clientOf(req));
  if (wait <= 0) return false;
  res.setHeader("Retry-After", String(Math.ceil(wait)));
  send(res, 429, "too many requests\n");
  return true;
}

function cert(res: http.ServerResponse, h: EndpointHandlers): void {
  const pem = h.certificatePem();
  if (pem === undefined) {
    send(res, 500, "cannot get certificate\n");
    return;
  }
  res.setHeader("Content-Type", "application/x-pem-file");
  res.end(pem);
}

function parsed(res: http.ServerResponse, body: string, o: EndpointServerOptions): SealedSecretObject | undefined {
  try {
    return parseSealedSecretBody(body);
  } catch (err) {
    badInput(res, err, o);
    return undefined;
  }
}

function verify(res: http.ServerResponse, h: EndpointHandlers, body: string, o: EndpointServerOptions): void {
  const ss = parsed(res, body, o);
  if (ss !== undefined) send(res, h.verify(ss) ? 200 : 409, "");
}

function rotate(res: http.ServerResponse, h: EndpointHandlers, body: string, o: EndpointServerOptions): void {
  const ss = parsed(res, body, o);
  if (ss === undefined) return;
  let out: SealedSecretObject;
  try {
    out = h.rotate(ss);
  } catch (err) {
    if (!isSigilError(err) || !err.code.startsWith("sealed.")) throw err;
    o.logger.info("rotate refused", { error: describeError(err) });
    send(res, 409, `${redact(err.message)}\n`);
    return;
  }
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify(out));
}

function badInput(res: http.ServerResponse, err: unknown, o: EndpointServerOptions): void {
  if (!isSigilError(err)) throw err;
  o.logger.info("bad request body", { error: describeError(err) });
  send(res, 400, `${redact(err.message)}\n`);
}

function clientOf(req: http.IncomingMessage): string {
  const forwarded = req.headers["x-forwarded-for"];
  return (Array.isArray(forwarded) ? forwarded.join(",") : forwarded) ?? "";
}

function send(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.end(text);
}

function readBody(req: http.IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      resolve(size > max ? undefined : Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}
