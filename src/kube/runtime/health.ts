/**
 * The manager's probes: `GET /healthz` (200 while the manager runs) and
 * `GET /readyz` (200 once every informer has listed, 503 before and while
 * stopping), for a Deployment's liveness and readiness probes.
 */
import http from "node:http";

/** What the probes ask. */
export interface HealthSource {
  healthy(): boolean;
  ready(): boolean;
}

/** The probe server (not yet listening). */
export function createHealthServer(source: HealthSource): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const ok = path === "/healthz" ? source.healthy() : path === "/readyz" ? source.ready() : undefined;
    if (req.method !== "GET" || ok === undefined) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(ok ? 200 : 503, { "Content-Type": "text/plain" }).end(ok ? "ok\n" : "not ready\n");
  });
}
