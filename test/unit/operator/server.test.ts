import type http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Logger, SigilError } from "../../../src/core/index.js";
import { RateLimiter, listen, parseListenAddr } from "../../../src/kube/runtime/index.js";
import { createEndpointServer } from "../../../src/operator/sealed-secrets/server.js";
import type { EndpointHandlers } from "../../../src/operator/sealed-secrets/server.js";

const SS = JSON.stringify({ apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name: "x", namespace: "n" }, spec: { encryptedData: { k: "AgA=" } } });

describe("parseListenAddr", () => {
  it.each([
    { reason: "host and port", addr: "127.0.0.1:8080", host: "127.0.0.1", port: 8080 },
    { reason: "bitnami's ':8080' means every interface", addr: ":8080", host: undefined, port: 8080 },
    { reason: "a bare port stays on loopback", addr: "9000", host: "127.0.0.1", port: 9000 },
    { reason: "an IPv6 literal", addr: "[::1]:8081", host: "::1", port: 8081 },
  ])("$reason", ({ addr, host, port }) => {
    expect(parseListenAddr(addr)).toEqual({ host, port });
  });

  it("rejects a malformed address with config.invalid", () => {
    expect(() => parseListenAddr("localhost")).toThrow(expect.objectContaining({ code: "config.invalid" }) as Error);
  });
});

describe("endpoint server", () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s !== undefined) await new Promise<void>((r) => s.close(() => { r(); }));
  });

  async function serve(handlers: Partial<EndpointHandlers>, limiter = new RateLimiter({ perSecond: 1000, burst: 1000 })): Promise<string> {
    const h: EndpointHandlers = { certificatePem: () => "PEM\n", verify: () => true, rotate: (ss) => ss, ...handlers };
    server = createEndpointServer(h, { verifyLimiter: limiter, logger: new Logger({ sink: () => undefined }), maxBodyBytes: 1024 });
    const addr = await listen(server, "127.0.0.1:0");
    return `http://127.0.0.1:${addr.port}`;
  }

  it("serves /healthz and the certificate as application/x-pem-file", async () => {
    const base = await serve({});
    expect(await (await fetch(`${base}/healthz`)).text()).toBe("ok\n");
    const cert = await fetch(`${base}/v1/cert.pem`);
    expect(cert.headers.get("content-type")).toBe("application/x-pem-file");
    expect(await cert.text()).toBe("PEM\n");
  });

  it("answers 500 for the certificate when there is no key", async () => {
    const base = await serve({ certificatePem: () => undefined });
    expect((await fetch(`${base}/v1/cert.pem`)).status).toBe(500);
  });

  it.each([
    { reason: "verify says yes: 200", path: "/v1/verify", body: SS, handlers: { verify: () => true }, status: 200 },
    { reason: "verify says no: 409", path: "/v1/verify", body: SS, handlers: { verify: () => false }, status: 409 },
    { reason: "a body that is not a SealedSecret: 400", path: "/v1/verify", body: "{", handlers: {}, status: 400 },
    { reason: "two documents: 400", path: "/v1/verify", body: `${SS}\n${SS}`, handlers: {}, status: 400 },
    { reason: "a body over the limit: 413", path: "/v1/verify", body: "x".repeat(2048), handlers: {}, status: 413 },
    { reason: "rotate that cannot open a value: 409", path: "/v1/rotate", body: SS, handlers: { rotate: () => { throw new SigilError("sealed.no_key", "no key could decrypt"); } }, status: 409 },
    { reason: "rotate: 200 with JSON", path: "/v1/rotate", body: SS, handlers: {}, status: 200 },
    { reason: "an unknown path: 404", path: "/v2/nope", body: SS, handlers: {}, status: 404 },
  ])("$reason", async ({ path, body, handlers, status }) => {
    const base = await serve(handlers);
    const res = await fetch(`${base}${path}`, { method: "POST", body });
    expect(res.status).toBe(status);
    if (status === 200 && path === "/v1/rotate") expect(res.headers.get("content-type")).toBe("application/json");
  });

  it("answers 405 to GET on /v1/verify", async () => {
    const base = await serve({});
    expect((await fetch(`${base}/v1/verify`)).status).toBe(405);
  });

  it("rate-limits /v1/verify with 429 and Retry-After, but not /v1/rotate", async () => {
    const base = await serve({}, new RateLimiter({ perSecond: 1, burst: 1 }));
    expect((await fetch(`${base}/v1/verify`, { method: "POST", body: SS })).status).toBe(200);
    const limited = await fetch(`${base}/v1/verify`, { method: "POST", body: SS });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await fetch(`${base}/v1/rotate`, { method: "POST", body: SS })).status).toBe(200);
  });
});
