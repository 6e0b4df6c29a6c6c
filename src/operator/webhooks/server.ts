/**
 * The receiver HTTP server: `POST /hook/<sha256>` only. An unknown path is
 * 404 whatever the method (nothing says whether a path exists); a body over
 * the limit is 413; a body not read in time is 408; a bad or missing
 * signature is 401, logged with the reason and counted, never with the
 * body or the token. `GET /metrics` gives the counters in Prometheus text.
 */
import http from "node:http";
import type { Logger } from "../../core/index.js";
import { describeError } from "../../core/index.js";
import { parsePush } from "./push.js";
import type { PushInfo } from "./push.js";
import { eventAccepted, verifyRequest } from "./signature.js";
import type { RejectReason } from "./signature.js";
import type { Receiver } from "./types.js";

/** A served receiver: the object and its token (held in memory only). */
export interface ReceiverEntry {
  readonly key: string;
  readonly receiver: Receiver;
  readonly token: string;
}

/** Options of {@link createReceiverServer}. */
export interface ReceiverServerOptions {
  readonly logger: Logger;
  /** The entry served under a path, if any. */
  readonly lookup: (path: string) => ReceiverEntry | undefined;
  /** Called for a verified push the receiver accepts, with what its payload says (`push.ts`). */
  readonly onPush: (entry: ReceiverEntry, push: PushInfo) => void;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
}

export function defaultReceiverServerOptions(): Pick<ReceiverServerOptions, "maxBodyBytes" | "bodyTimeoutMs"> {
  return { maxBodyBytes: 1024 * 1024, bodyTimeoutMs: 10_000 };
}

/** Counts of requests by receiver and outcome. */
export class ReceiverCounters {
  readonly #counts = new Map<string, number>();

  add(receiver: string, outcome: "accepted" | "ignored" | "too-large" | RejectReason): number {
    const k = `${receiver}\u0000${outcome}`;
    const n = (this.#counts.get(k) ?? 0) + 1;
    this.#counts.set(k, n);
    return n;
  }

  get(receiver: string, outcome: string): number {
    return this.#counts.get(`${receiver}\u0000${outcome}`) ?? 0;
  }

  /** Prometheus text exposition. */
  text(): string {
    const lines = ["# HELP sigil_receiver_requests_total Webhook requests by receiver and outcome.", "# TYPE sigil_receiver_requests_total counter"];
    for (const [k, n] of this.#counts) {
      const [receiver = "", outcome = ""] = k.split("\u0000");
      const [namespace = "", name = ""] = receiver.split("/");
      lines.push(`sigil_receiver_requests_total{namespace="${namespace}",name="${name}",outcome="${outcome}"} ${String(n)}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

type BodyResult = { readonly body: Buffer } | { readonly status: 408 | 413 | 400 };

function readBody(req: http.IncomingMessage, max: number, timeoutMs: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (Number.isFinite(declared) && declared > max) {
      resolve({ status: 413 });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (r: BodyResult): void => {
      clearTimeout(timer);
      req.removeAllListeners("data");
      resolve(r);
    };
    const timer = setTimeout(() => {
      finish({ status: 408 });
    }, timeoutMs);
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) finish({ status: 413 });
      else chunks.push(chunk);
    });
    req.on("end", () => {
      finish({ body: Buffer.concat(chunks) });
    });
    req.on("error", () => {
      finish({ status: 400 });
    });
  });
}

function reply(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: status >= 400 ? "close" : "keep-alive" });
  res.end(`${text}\n`);
}

/** Build the server (not yet listening). */
export function createReceiverServer(opts: ReceiverServerOptions, counters: ReceiverCounters): http.Server {
  const server = http.createServer((req, res) => {
    handle(req, res, opts, counters).catch((err: unknown) => {
      opts.logger.error("webhook request failed", { error: describeError(err) });
      reply(res, 500, "internal error");
    });
  });
  server.headersTimeout = opts.bodyTimeoutMs;
  server.requestTimeout = opts.bodyTimeoutMs * 2;
  return server;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, opts: ReceiverServerOptions, counters: ReceiverCounters): Promise<void> {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (path === "/metrics" && req.method === "GET") {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(counters.text());
    return;
  }
  const entry = opts.lookup(path);
  if (entry === undefined) {
    reply(res, 404, "not found");
    return;
  }
  if (req.method !== "POST") {
    reply(res, 405, "method not allowed");
    return;
  }
  const read = await readBody(req, opts.maxBodyBytes, opts.bodyTimeoutMs);
  if (!("body" in read)) {
    if (read.status === 413) counters.add(entry.key, "too-large");
    opts.logger.warn("webhook body refused", { receiver: entry.key, status: read.status, limitBytes: opts.maxBodyBytes });
    reply(res, read.status, read.status === 413 ? "payload too large" : "bad request");
    return;
  }
  respond(entry, req, res, read.body, opts, counters);
}

function respond(entry: ReceiverEntry, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, opts: ReceiverServerOptions, counters: ReceiverCounters): void {
  const { spec } = entry.receiver;
  const v = verifyRequest(spec.type, req.headers, body, entry.token);
  if (!v.ok) {
    const total = counters.add(entry.key, v.reason);
    opts.logger.warn("webhook signature refused", { receiver: entry.key, reason: v.reason, remote: req.socket.remoteAddress, bytes: body.length, refusedTotal: total });
    reply(res, 401, "unauthorized");
    return;
  }
  if (v.ping) {
    reply(res, 200, "pong");
    return;
  }
  if (!eventAccepted(spec.type, v.event, spec.events)) {
    counters.add(entry.key, "ignored");
    opts.logger.debug("webhook event ignored", { receiver: entry.key, event: v.event });
    reply(res, 202, "event ignored");
    return;
  }
  counters.add(entry.key, "accepted");
  const push = parsePush(spec.type, v.event, body);
  opts.onPush(entry, push);
  opts.logger.info("webhook accepted", { receiver: entry.key, event: v.event, ref: push.ref });
  reply(res, 200, "accepted");
}
