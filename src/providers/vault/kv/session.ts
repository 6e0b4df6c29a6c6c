/**
 * KV clients per store: one transport per connection (shared by the stores
 * that use the same one, closed when the last of them moves to another
 * connection, is forgotten, or on close), tokens from the
 * shared {@link TokenCache}, one retry with a fresh login when Vault refuses
 * a cached token, and request coalescing: GETs for the same store identity,
 * path and query that are in flight, or finished within `coalesceWindowMs`,
 * share one Vault request.
 */
import { createHash } from "node:crypto";
import { TokenCache } from "../auth/token-cache.js";
import type { VaultLogin } from "../auth/login.js";
import { KvClient } from "./client.js";
import type { KvSettings } from "./client.js";
import { HttpVaultTransport, statusError } from "./transport.js";
import type { VaultConnection, VaultRequest, VaultResponse, VaultTransport } from "./transport.js";

/** One store, resolved. */
export interface VaultStoreConfig {
  /** Cache identity of the store and its login (no secret in it). */
  readonly key: string;
  /**
   * Identity of the store across its generations (default `key`): when the
   * same owner comes with another connection, the old transport is closed
   * once no other store uses it.
   */
  readonly owner?: string | undefined;
  readonly connection: VaultConnection;
  readonly kv: KvSettings;
  /** Namespace used for the login (`auth.namespace`, else the store's). */
  readonly authNamespace?: string | undefined;
  /** Resolve credentials; called only when a login is needed. */
  readonly login: () => Promise<VaultLogin>;
}

/** Options of {@link VaultClients}. */
export interface VaultClientsOptions {
  readonly tokens: TokenCache;
  readonly transport: (connection: VaultConnection) => VaultTransport;
  readonly coalesceWindowMs: number;
  /**
   * How long answers are kept for clients with `notBefore` (ms after the
   * read or the last client that took it; 0 = only `coalesceWindowMs`).
   * Only 2xx and 404 answers are taken that way: a Vault error is never
   * served past the coalescing window.
   */
  readonly retainReadsMs: number;
  readonly now: () => number;
}

export function defaultVaultClientsOptions(): VaultClientsOptions {
  return { tokens: new TokenCache(), transport: (c) => new HttpVaultTransport(c), coalesceWindowMs: 2_000, retainReadsMs: 0, now: Date.now };
}

interface Shared {
  /** When the read was sent. */
  readonly at: number;
  /** Dropped after this (epoch ms). */
  until: number;
  readonly response: Promise<VaultResponse>;
  done: boolean;
  /** The answer is data (2xx) or a definite absence (404), not an error. */
  answer: boolean;
}

/** Options of one KV client. */
export interface KvClientOptions {
  /** Share only reads still in flight, never a finished one (a forced refresh must see current data). */
  readonly fresh: boolean;
  /** Also take a kept answer read at or after this moment (epoch ms; a periodic refresh's due time). */
  readonly notBefore: number | undefined;
}

/** The KV clients of a controller. */
export class VaultClients {
  readonly #opts: VaultClientsOptions;
  readonly #transports = new Map<string, { readonly transport: VaultTransport; readonly owners: Set<string> }>();
  /** Connection id of each owner. */
  readonly #ownerOf = new Map<string, string>();
  /** Connection ids, computed once per connection object (a store config is built once per reconcile). */
  readonly #ids = new WeakMap<VaultConnection, string>();
  readonly #shared = new Map<string, Shared>();
  #reads = 0;

  constructor(options: Partial<VaultClientsOptions> = {}) {
    this.#opts = { ...defaultVaultClientsOptions(), ...options };
  }

  /** GET requests actually sent to Vault (coalesced ones counted once). */
  get reads(): number {
    return this.#reads;
  }

  get tokens(): TokenCache {
    return this.#opts.tokens;
  }

  /** A KV client for `config`. */
  kv(config: VaultStoreConfig, options: Partial<KvClientOptions> = {}): KvClient {
    const transport = this.#transport(config);
    const reuse = { fresh: options.fresh === true, notBefore: options.notBefore };
    const send = (req: Omit<VaultRequest, "token">): Promise<VaultResponse> => this.#coalesced(config, transport, req, reuse);
    return new KvClient(send, config.kv);
  }

  /**
   * Check the store's token with `auth/token/lookup-self` (logging in first when needed).
   * @throws SigilError `provider.denied`, `provider.unreachable`, `provider.failed`.
   */
  async checkToken(config: VaultStoreConfig): Promise<void> {
    const transport = this.#transport(config);
    const res = await this.#authed(config, transport, { method: "GET", path: "auth/token/lookup-self", namespace: config.authNamespace ?? config.kv.namespace });
    if (res.status < 200 || res.status >= 300) throw statusError(res.status, res.body, "invalid vault credentials", "vault auth/token/lookup-self");
  }

  /** Open transports (connections in use). */
  get transportCount(): number {
    return this.#transports.size;
  }

  /** Forget the stores whose owner starts with `ownerPrefix` (a deleted store), closing transports no other store uses. */
  forget(ownerPrefix: string): void {
    for (const [owner, id] of [...this.#ownerOf]) {
      if (!owner.startsWith(ownerPrefix)) continue;
      this.#ownerOf.delete(owner);
      this.#release(owner, id);
    }
  }

  /** Revoke login tokens and close connections. */
  async close(): Promise<void> {
    await this.#opts.tokens.close();
    for (const t of this.#transports.values()) t.transport.close();
    this.#transports.clear();
    this.#ownerOf.clear();
  }

  #transport(config: VaultStoreConfig): VaultTransport {
    const id = this.#connectionId(config.connection);
    const owner = config.owner ?? config.key;
    const previous = this.#ownerOf.get(owner);
    if (previous !== id) {
      if (previous !== undefined) this.#release(owner, previous);
      this.#ownerOf.set(owner, id);
    }
    let entry = this.#transports.get(id);
    if (entry === undefined) {
      entry = { transport: this.#opts.transport(config.connection), owners: new Set() };
      this.#transports.set(id, entry);
    }
    entry.owners.add(owner);
    return entry.transport;
  }

  #release(owner: string, id: string): void {
    const entry = this.#transports.get(id);
    if (entry === undefined) return;
    entry.owners.delete(owner);
    if (entry.owners.size > 0) return;
    entry.transport.close();
    this.#transports.delete(id);
  }

  #connectionId(connection: VaultConnection): string {
    let id = this.#ids.get(connection);
    if (id === undefined) {
      id = createHash("sha256").update(JSON.stringify(connection)).digest("hex");
      this.#ids.set(connection, id);
    }
    return id;
  }

  #coalesced(config: VaultStoreConfig, transport: VaultTransport, req: Omit<VaultRequest, "token">, reuse: KvClientOptions): Promise<VaultResponse> {
    if (req.method !== "GET") return this.#authed(config, transport, req);
    const now = this.#opts.now();
    this.#prune(now);
    const key = JSON.stringify([config.key, req.namespace ?? "", req.path, req.query ?? {}]);
    const hit = this.#shared.get(key);
    if (hit !== undefined && (!hit.done || (!reuse.fresh && now - hit.at <= this.#opts.coalesceWindowMs))) return hit.response;
    if (hit !== undefined && !reuse.fresh && hit.answer && reuse.notBefore !== undefined && hit.at >= reuse.notBefore) {
      // Kept while used: readers of a path seen over a long first pass come due in several windows.
      this.#keep(key, hit, now);
      return hit.response;
    }
    const response = this.#authed(config, transport, req);
    const shared: Shared = { at: now, until: 0, response, done: false, answer: false };
    this.#keep(key, shared, now);
    response.then((res) => {
      shared.done = true;
      shared.answer = (res.status >= 200 && res.status < 300) || res.status === 404;
    }, () => {
      if (this.#shared.get(key) === shared) this.#shared.delete(key);
    });
    return response;
  }

  /** (Re-)insert at the end with a new expiry: the map stays in expiry order, so pruning stops at the first entry kept. */
  #keep(key: string, shared: Shared, now: number): void {
    shared.until = now + Math.max(this.#opts.coalesceWindowMs, this.#opts.retainReadsMs);
    this.#shared.delete(key);
    this.#shared.set(key, shared);
  }

  #prune(now: number): void {
    for (const [k, s] of this.#shared) {
      if (now <= s.until) return;
      this.#shared.delete(k);
    }
  }

  async #authed(config: VaultStoreConfig, transport: VaultTransport, req: Omit<VaultRequest, "token">): Promise<VaultResponse> {
    const tokens = this.#opts.tokens;
    const loginSend = (r: VaultRequest): Promise<VaultResponse> => transport.send(r);
    const namespace = config.authNamespace ?? config.kv.namespace;
    let token = await tokens.token(config.key, loginSend, namespace, config.login);
    if (req.method === "GET" && !req.path.startsWith("auth/")) this.#reads++;
    let res = await transport.send({ ...req, token });
    if (res.status === 403) {
      // A revoked or expired token: log in again once.
      tokens.invalidate(config.key);
      token = await tokens.token(config.key, loginSend, namespace, config.login);
      res = await transport.send({ ...req, token });
    }
    return res;
  }
}
