/**
 * Listening and closing for the operator's small HTTP servers (health
 * probes, the Sealed Secrets endpoints).
 */
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { SigilError } from "../../core/index.js";

/** `host:port` → its parts. `:8080` means every interface (as in bitnami); a bare port means loopback. */
export function parseListenAddr(addr: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr.trim()) ?? /^()()(\d+)$/.exec(addr.trim());
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new SigilError("config.invalid", `listen address must be host:port, got '${addr}'`);
  }
  const host = m[1] ?? m[2] ?? "";
  if (host === "" && !addr.includes(":")) return { host: "127.0.0.1", port };
  return { host: host === "" ? undefined : host, port };
}

/** Start listening; resolves with the bound address. */
export function listen(server: http.Server, addr: string): Promise<AddressInfo> {
  const { host, port } = parseListenAddr(addr);
  return new Promise((resolve, reject) => {
    server.once("error", (err) => {
      reject(new SigilError("config.invalid", `cannot listen on ${addr}`, { cause: err }));
    });
    server.listen({ host, port }, () => {
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Close `server`, dropping open connections; resolves when it is closed. */
export function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}
