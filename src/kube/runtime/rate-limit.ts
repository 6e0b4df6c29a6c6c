/**
 * Token buckets, one per client (bitnami limits `/v1/verify` per
 * `X-Forwarded-For` value): `burst` tokens, refilled at `perSecond`.
 */
import { LruMap } from "../../core/index.js";

/** Options of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Tokens added per second (bitnami `--rate-limit`). */
  readonly perSecond: number;
  /** Bucket size (bitnami `--rate-limit-burst`). */
  readonly burst: number;
  /** Clients remembered (least recently seen are dropped first). */
  readonly maxClients: number;
  readonly now: () => number;
}

export function defaultRateLimitOptions(): RateLimitOptions {
  return { perSecond: 2, burst: 2, maxClients: 65_536, now: () => performance.now() };
}

interface Bucket {
  tokens: number;
  at: number;
}

/** See the module comment. */
export class RateLimiter {
  readonly #opts: RateLimitOptions;
  readonly #buckets: LruMap<string, Bucket>;

  constructor(options: Partial<RateLimitOptions> = {}) {
    this.#opts = { ...defaultRateLimitOptions(), ...options };
    this.#buckets = new LruMap(this.#opts.maxClients);
  }

  /**
   * Take a token for `client`. Returns 0 when allowed, else the seconds to
   * wait before a token is available (for `Retry-After`).
   */
  take(client: string): number {
    const now = this.#opts.now();
    const bucket = this.#buckets.get(client) ?? { tokens: this.#opts.burst, at: now };
    bucket.tokens = Math.min(this.#opts.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#opts.perSecond);
    bucket.at = now;
    this.#buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return this.#opts.perSecond > 0 ? (1 - bucket.tokens) / this.#opts.perSecond : Number.POSITIVE_INFINITY;
  }

}
