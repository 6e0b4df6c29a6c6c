/**
 * Plain HTTP for the seal command: fetching `--cert` from a URL and talking
 * to a controller at `--controller-url`. Calls through the API server go
 * through `src/kube`'s client instead (`kube.ts`).
 */
import { request as httpRequest } from "node:http";
import type { RequestOptions } from "node:https";
import { request as httpsRequest } from "node:https";
import { SigilError } from "../../../core/index.js";

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly body?: string | undefined;
  /** TLS options and headers, if any. */
  readonly options?: RequestOptions | undefined;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/** Options of {@link nodeHttpClient}. */
export interface NodeHttpClientOptions {
  readonly timeoutMs: number;
  /** Largest response body read. */
  readonly maxBytes: number;
}

export function defaultNodeHttpClientOptions(): NodeHttpClientOptions {
  return { timeoutMs: 30_000, maxBytes: 16 * 1024 * 1024 };
}

/**
 * An {@link HttpClient} over `node:http`/`node:https`.
 * Rejects with SigilError `sealed.fetch_failed` when the server cannot be reached or times out.
 */
export function nodeHttpClient(options: Partial<NodeHttpClientOptions> = {}): HttpClient {
  const opts = { ...defaultNodeHttpClientOptions(), ...options };
  return (req) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const headers: Record<string, string> = { Accept: "application/json, application/x-pem-file, */*" };
      for (const [key, value] of Object.entries(req.options?.headers ?? {})) if (typeof value === "string") headers[key] = value;
      if (req.body !== undefined) headers["Content-Type"] = "application/json";
      const call = send(url, { ...req.options, method: req.method, headers, timeout: opts.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) call.destroy(new Error(`response larger than ${opts.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        res.on("error", reject);
      });
      call.on("timeout", () => call.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
      call.on("error", (cause) => {
        reject(new SigilError("sealed.fetch_failed", `cannot reach ${url.origin}: ${cause.message}`, { cause }));
      });
      call.end(req.body);
    });
}
