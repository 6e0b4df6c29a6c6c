/**
 * When a due refresh may read the provider. ESO refreshes every
 * ExternalSecret whose `refreshTime + refreshInterval` has passed as soon as
 * it sees it, so a controller that was down longer than the interval (a
 * restart, an upgrade, a migration from ESO) reads everything at once.
 * Sigil tells refreshes apart:
 *
 * - **first syncs and repairs** (never synced, spec or metadata changed,
 *   target Secret missing or edited) run at once: no jitter, no rate limit;
 * - **periodic refreshes** (only time has passed) take a token of the
 *   store's rate limit;
 * - a periodic refresh that is **already overdue the first time this process
 *   sees the ExternalSecret** (after a restart) is put off by a delay within
 *   the spread window that depends only on what it reads (store and remote
 *   keys), counted from the controller's start and repeating every window:
 *   overdue refreshes are spread over the window, and those reading the
 *   same Vault paths come due at the same moments, so their reads coalesce.
 *   One seen after its moment (a first pass slower than the moment) waits
 *   for the same moment of a later window and takes the read made at an
 *   earlier one: a periodic refresh may take any read of its paths made
 *   since it came due ({@link dueAt}, `notBefore` in the Vault session).
 */
import { createHash } from "node:crypto";
import { refreshIntervalMs, resourceVersionOf } from "../../external-secrets/index.js";
import type { ExternalSecret } from "../../external-secrets/index.js";

/** Whether a due refresh is only periodic (synced before, spec unchanged, `secretValid` = the target Secret is intact). */
export function isPeriodicRefresh(es: ExternalSecret, secretValid: boolean): boolean {
  const synced = es.status?.syncedResourceVersion ?? "";
  const refreshed = es.status?.refreshTime ?? "";
  return secretValid && synced !== "" && refreshed !== "" && synced === resourceVersionOf(es.metadata);
}

/**
 * When `es`'s periodic refresh came due (epoch ms: `refreshTime` + interval),
 * or undefined without a usable `refreshTime`. Any read made since then is
 * as recent as that refresh asks for (session.ts `notBefore`). Undefined too
 * after a failed sync: `refreshTime` is then the last success's, and a retry
 * must not take an answer read meanwhile (say a 404 while the secret was
 * being written back), which each reuse would keep alive.
 */
export function dueAt(es: ExternalSecret): number | undefined {
  if (es.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True") return undefined;
  const at = Date.parse(es.status.refreshTime ?? "");
  return Number.isNaN(at) ? undefined : at + refreshIntervalMs(es);
}

/** Store and remote keys an ExternalSecret reads, as one stable string. */
export function sourcesOf(es: ExternalSecret): string {
  const spec = es.spec ?? {};
  const main = spec.secretStoreRef;
  const store = (ref: { name?: string; kind?: string } | undefined): string => `${ref?.kind ?? "SecretStore"}/${ref?.name ?? ""}`;
  const keys = [
    ...(spec.data ?? []).map((d) => JSON.stringify([store(d.sourceRef?.storeRef ?? main), d.remoteRef?.key ?? "", d.remoteRef?.version ?? ""])),
    ...(spec.dataFrom ?? []).map((d) => JSON.stringify([store(d.sourceRef?.storeRef ?? main), d.extract?.key ?? "", d.extract?.version ?? "", d.find ?? null])),
  ];
  return JSON.stringify([es.metadata?.namespace ?? "", store(main), [...new Set(keys)].sort()]);
}

/** A fraction in [0, 1) that depends only on `text`. */
export function phaseOf(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/** Options of {@link RefreshSpread}. */
export interface RefreshSpreadOptions {
  /** The longest spread (ms). */
  readonly windowMs: number;
  /** The spread is also at most this fraction of the refresh interval. */
  readonly fractionOfInterval: number;
  readonly now: () => number;
}

/** See the module comment: the delay of overdue refreshes after a restart. */
export class RefreshSpread {
  readonly #opts: RefreshSpreadOptions;
  /** ExternalSecrets this process has reconciled (their later refreshes are its own schedule). */
  readonly #seen = new Set<string>();
  readonly #start: number;

  constructor(options: RefreshSpreadOptions) {
    this.#opts = options;
    this.#start = options.now();
  }

  /**
   * Note that `key` is reconciled; returns how long to put off its due
   * periodic refresh (0 = read now). Only the first call for a key can
   * return more than 0, and only when `periodicDue`.
   */
  delayMs(key: string, es: ExternalSecret, periodicDue: boolean): number {
    const first = !this.#seen.has(key);
    this.#seen.add(key);
    if (!first || !periodicDue) return 0;
    const window = Math.min(this.#opts.windowMs, refreshIntervalMs(es) * this.#opts.fractionOfInterval);
    if (!(window > 0)) return 0;
    // The next moment of this ExternalSecret's slot (start + phase × window + k × window): when the first
    // pass over all ExternalSecrets takes longer than the window (a loaded API server), the readers of a
    // path first seen in one cycle still come due together, instead of each reading when it is seen.
    const ahead = (this.#start + phaseOf(sourcesOf(es)) * window - this.#opts.now()) % window;
    return Math.floor(ahead < 0 ? ahead + window : ahead);
  }

  /** Forget a deleted ExternalSecret. */
  forget(key: string): void {
    this.#seen.delete(key);
  }

  /** ExternalSecrets remembered. */
  get size(): number {
    return this.#seen.size;
  }
}
