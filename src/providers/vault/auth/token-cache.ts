/**
 * Vault tokens cached per store and identity: a token obtained by login is
 * reused until it nears expiry, renewed (`auth/token/renew-self`) once past
 * `renewAfter` of its lifetime, replaced by a new login when renewal fails
 * or Vault refuses it, and revoked (`auth/token/revoke-self`) on close.
 * Concurrent callers for one key share one login. Logins are counted.
 */
import { isJsonObject } from "../kv/json.js";
import { lifetime, vaultLogin } from "./login.js";
import type { LoginSend, VaultLogin, VaultToken } from "./login.js";

/** Options of {@link TokenCache}. */
export interface TokenCacheOptions {
  readonly now: () => number;
  /** Fraction of the lifetime after which a renewable token is renewed. */
  readonly renewAfter: number;
  /** A token is not used within this many ms of its expiry. */
  readonly expiryMarginMs: number;
}

export function defaultTokenCacheOptions(): TokenCacheOptions {
  return { now: Date.now, renewAfter: 2 / 3, expiryMarginMs: 10_000 };
}

interface Entry {
  token: VaultToken;
  issuedAt: number;
  send: LoginSend;
  namespace: string | undefined;
}

/** One cache for the process. */
export class TokenCache {
  readonly #opts: TokenCacheOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<string>>();
  #logins = 0;

  constructor(options: Partial<TokenCacheOptions> = {}) {
    this.#opts = { ...defaultTokenCacheOptions(), ...options };
  }

  /** Logins made so far (tokens given as is are not counted). */
  get logins(): number {
    return this.#logins;
  }

  /**
   * A valid token for `key`, logging in with `login()` (called only when a
   * login is needed) through `send`, with `namespace` as the login namespace.
   */
  async token(key: string, send: LoginSend, namespace: string | undefined, login: () => Promise<VaultLogin>): Promise<string> {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const p = this.#obtain(key, send, namespace, login).finally(() => this.#pending.delete(key));
    this.#pending.set(key, p);
    return p;
  }

  /** Forget `key`'s token (Vault refused it); the next call logs in again. */
  invalidate(key: string): void {
    this.#entries.delete(key);
  }

  /** Revoke every token obtained by login, and forget all. Errors are ignored (shutdown must not hang on Vault). */
  async close(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.filter((e) => e.token.fromLogin).map((e) =>
      e.send({ method: "PUT", path: "auth/token/revoke-self", token: e.token.token, namespace: e.namespace }).catch(() => undefined)));
  }

  async #obtain(key: string, send: LoginSend, namespace: string | undefined, login: () => Promise<VaultLogin>): Promise<string> {
    const now = this.#opts.now();
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      const { expiresAt } = entry.token;
      if (expiresAt === undefined) return entry.token.token;
      if (now < expiresAt - this.#opts.expiryMarginMs) {
        const due = entry.issuedAt + (expiresAt - entry.issuedAt) * this.#opts.renewAfter;
        if (!entry.token.renewable || now < due) return entry.token.token;
        if (await this.#renew(entry, now)) return entry.token.token;
      }
      this.#entries.delete(key);
    }
    const spec = await login();
    const token = await vaultLogin(send, spec, namespace, now);
    if (token.fromLogin) this.#logins++;
    this.#entries.set(key, { token, issuedAt: now, send, namespace });
    return token.token;
  }

  async #renew(entry: Entry, now: number): Promise<boolean> {
    try {
      const res = await entry.send({ method: "PUT", path: "auth/token/renew-self", body: {}, token: entry.token.token, namespace: entry.namespace });
      if (res.status < 200 || res.status >= 300 || !isJsonObject(res.body)) return false;
      const life = lifetime(res.body["auth"], now);
      if (life.expiresAt === undefined) return false;
      entry.token = { ...entry.token, ...life };
      entry.issuedAt = now;
      return true;
    } catch {
      return false;
    }
  }
}
