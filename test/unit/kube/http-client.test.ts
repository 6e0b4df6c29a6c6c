/**
 * HttpKubeClient's wire behaviour, against a local HTTP server that records
 * requests (the same paths run against the real API server in
 * test/integration/kube).
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpKubeClient } from "../../../src/kube/index.js";

interface Seen {
  method: string;
  url: string;
  type: string | undefined;
  body: string;
}

describe("HttpKubeClient on the wire", () => {
  const seen: Seen[] = [];
  let reply: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end("{}");
  let server: Server;
  let client: HttpKubeClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", type: req.headers["content-type"], body });
        reply(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    client = new HttpKubeClient({ server: new URL(`http://127.0.0.1:${port}`), tls: {}, namespace: undefined, authorization: () => Promise.resolve("Bearer t") }, { maxResponseBytes: 1024 });
  });

  afterAll(async () => {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends a server-side apply as apply-patch with fieldManager, force and dryRun in the query", async () => {
    seen.length = 0;
    reply = (_req, res) => res.end(JSON.stringify({ kind: "ConfigMap" }));
    await client.patch("/api/v1/namespaces/a/configmaps/b", { kind: "ConfigMap" }, "apply", { fieldManager: "sigil", force: true, dryRun: "All", unset: undefined });
    expect(seen[0]).toMatchObject({ method: "PATCH", url: "/api/v1/namespaces/a/configmaps/b?fieldManager=sigil&force=true&dryRun=All", type: "application/apply-patch+yaml" });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ kind: "ConfigMap" });
  });

  it("deletes with a propagation policy; a 404 is false for delete and undefined for get", async () => {
    seen.length = 0;
    reply = (_req, res) => {
      res.statusCode = 404;
      res.end(JSON.stringify({ kind: "Status", code: 404, message: "not found" }));
    };
    expect(await client.delete("/api/v1/namespaces/a/configmaps/b", { propagationPolicy: "Foreground" })).toBe(false);
    expect(await client.get("/api/v1/namespaces/a/configmaps/b")).toBeUndefined();
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["DELETE /api/v1/namespaces/a/configmaps/b?propagationPolicy=Foreground", "GET /api/v1/namespaces/a/configmaps/b"]);
  });

  it("refuses an answer larger than maxResponseBytes with kube.failed", async () => {
    reply = (_req, res) => res.end(JSON.stringify({ big: "x".repeat(4096) }));
    await expect(client.get("/big")).rejects.toMatchObject({ code: "kube.failed", message: expect.stringContaining("larger than 1024 bytes") as unknown });
    await expect(client.raw("GET", "/big")).rejects.toMatchObject({ code: "kube.failed" });
  });

  it("raw returns any status and the body untouched", async () => {
    reply = (_req, res) => {
      res.statusCode = 409;
      res.end("-----BEGIN CERTIFICATE-----");
    };
    const res = await client.raw("POST", "/proxy/v1/verify", { text: "{}", type: "application/json" });
    expect(res.status).toBe(409);
    expect(res.body.toString()).toBe("-----BEGIN CERTIFICATE-----");
  });
});
