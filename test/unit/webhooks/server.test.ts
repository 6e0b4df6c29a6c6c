/**
 * The receiver HTTP server on a loopback port with an in-memory table (the
 * real-peer path is test/integration/webhooks): status codes for each kind of
 * bad request, and a push reaching `onPush` only when verified and wanted.
 */
import { createHmac } from "node:crypto";
import type http from "node:http";
import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { closeServer, listen } from "../../../src/kube/runtime/index.js";
import { ReceiverCounters, createReceiverServer } from "../../../src/operator/webhooks/index.js";
import type { ReceiverEntry } from "../../../src/operator/webhooks/index.js";

const TOKEN = "canary-unit-token-1b2c";
const PATH = "/hook/abc";
const entry: ReceiverEntry = { key: "ns/hook", token: TOKEN, receiver: { metadata: { name: "hook", namespace: "ns" }, spec: { type: "github", secretRef: { name: "s" }, resources: [{ name: "*" }], events: ["push"] } } };
const sig = (b: string): string => `sha256=${createHmac("sha256", TOKEN).update(b).digest("hex")}`;

describe("the receiver server", () => {
  let server: http.Server;
  let port: number;
  const pushes: string[] = [];
  const logs: string[] = [];
  const counters = new ReceiverCounters();

  beforeEach(async () => {
    pushes.length = 0;
    server = createReceiverServer({ logger: new Logger({ level: "debug", sink: (l) => logs.push(l) }), lookup: (p) => (p === PATH ? entry : undefined), onPush: (e) => pushes.push(e.key), maxBodyBytes: 1024, bodyTimeoutMs: 300 }, counters);
    port = (await listen(server, "127.0.0.1:0")).port;
  });
  afterEach(async () => {
    await closeServer(server);
  });

  /** One request; `chunks` are written apart (no content-length), `stallMs` waits before ending. */
  function send(method: string, path: string, headers: Record<string, string>, chunks: string[], stallMs = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (const c of chunks) req.write(c);
      if (stallMs === 0) req.end();
      else setTimeout(() => req.end(), stallMs);
    });
  }

  it.each([
    { reason: "an unknown path, POST", method: "POST", path: "/hook/abd", headers: {}, chunks: ["{}"], want: 404 },
    { reason: "an unknown path, GET (same answer)", method: "GET", path: "/hook/abd", headers: {}, chunks: [], want: 404 },
    { reason: "a known path, GET", method: "GET", path: PATH, headers: {}, chunks: [], want: 405 },
    { reason: "no signature", method: "POST", path: PATH, headers: { "x-github-event": "push" }, chunks: ["{}"], want: 401 },
    { reason: "a chunked body over the limit (no content-length)", method: "POST", path: PATH, headers: { "x-hub-signature-256": sig("x") }, chunks: Array.from({ length: 5 }, () => "x".repeat(300)), want: 413 },
    { reason: "a declared length over the limit", method: "POST", path: PATH, headers: { "content-length": "5000" }, chunks: [], want: 413 },
    { reason: "ping", method: "POST", path: PATH, headers: { "x-github-event": "ping", "x-hub-signature-256": sig("{}") }, chunks: ["{}"], want: 200 },
    { reason: "a verified event not listed", method: "POST", path: PATH, headers: { "x-github-event": "issues", "x-hub-signature-256": sig("{}") }, chunks: ["{}"], want: 202 },
  ])("answers $want to $reason, and triggers nothing", async ({ method, path, headers, chunks, want }) => {
    expect(await send(method, path, headers, chunks)).toBe(want);
    expect(pushes).toEqual([]);
  });

  it("answers 408 to a body not finished in time, and triggers nothing", async () => {
    expect(await send("POST", PATH, { "x-github-event": "push", "x-hub-signature-256": sig("{}") }, ["{"], 1000)).toBe(408);
    expect(pushes).toEqual([]);
  });

  it("passes a verified push on, and counts outcomes in /metrics without the token", async () => {
    expect(await send("POST", PATH, { "x-github-event": "push", "x-hub-signature-256": sig("{}") }, ["{}"])).toBe(200);
    expect(pushes).toEqual(["ns/hook"]);
    const metrics = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
    expect(metrics).toMatch(/sigil_receiver_requests_total\{namespace="ns",name="hook",outcome="accepted"\} \d+/);
    expect(metrics).toMatch(/outcome="missing-signature"\} \d+/);
    expect(metrics + logs.join("\n")).not.toContain(TOKEN);
  });
});
