/**
 * A TCP proxy in front of the API server whose connections a test can cut
 * (as a broken network or a load balancer would), and a client wrapper that
 * counts the requests a process makes.
 */
import net from "node:net";
import type { KubeConnection } from "../../src/kube/index.js";
import type { KubeClient, ListPage, PatchType, Query, WatchEvent } from "../../src/kube/index.js";

/** A running proxy. */
export interface CuttableProxy {
  /** The connection, through the proxy. */
  readonly connection: KubeConnection;
  /** Destroy every open connection (new ones are still accepted). */
  cut(): void;
  close(): Promise<void>;
}

/** Start a proxy to `target`'s server on a loopback port. */
export async function cuttableProxy(target: KubeConnection): Promise<CuttableProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect({ host: target.server.hostname, port: Number(target.server.port) });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const server_ = new URL(target.server.href);
  server_.port = String(port);
  return {
    connection: { ...target, server: server_, authorization: () => target.authorization() },
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Requests by verb. */
export type Counts = Record<"get" | "list" | "create" | "replace" | "patch" | "delete" | "watch", number>;

/** A client that counts what goes through it, and how many watches are open. */
export class CountingClient implements KubeClient {
  readonly counts: Counts = { get: 0, list: 0, create: 0, replace: 0, patch: 0, delete: 0, watch: 0 };
  openWatches = 0;
  readonly #inner: KubeClient;

  constructor(inner: KubeClient) {
    this.#inner = inner;
  }

  get<T>(path: string, query?: Query): Promise<T | undefined> {
    this.counts.get++;
    return this.#inner.get<T>(path, query);
  }

  list<T>(path: string, query?: Query): Promise<ListPage<T>> {
    this.counts.list++;
    return this.#inner.list<T>(path, query);
  }

  create<T>(path: string, body: unknown): Promise<T> {
    this.counts.create++;
    return this.#inner.create<T>(path, body);
  }

  replace<T>(path: string, body: unknown): Promise<T> {
    this.counts.replace++;
    return this.#inner.replace<T>(path, body);
  }

  patch<T>(path: string, body: unknown, type: PatchType): Promise<T> {
    this.counts.patch++;
    return this.#inner.patch<T>(path, body, type);
  }

  delete(path: string): Promise<boolean> {
    this.counts.delete++;
    return this.#inner.delete(path);
  }

  async watch<T>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    this.counts.watch++;
    this.openWatches++;
    try {
      await this.#inner.watch<T>(path, query, onEvent, signal);
    } finally {
      this.openWatches--;
    }
  }
}
