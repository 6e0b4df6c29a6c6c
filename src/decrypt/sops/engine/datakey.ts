/**
 * Recovering the data key from the master keys (docs/formats.md#a8-data-key-and-master-keys, #a9-key-groups-and-shamir) and wrapping a
 * new one. A process-wide cache keyed by the wrapped key means a file that
 * is decrypted again asks no provider again.
 */
import { SigilError, registerSecret } from "../../../core/index.js";
import type { KeyProvider, ProviderRegistry } from "../../../providers/index.js";
import { shamirCombine, shamirSplit } from "../codec/shamir.js";
import { describeKey } from "../metadata/model.js";
import type { KeyGroup, KeyType, MasterKey, SopsMetadata } from "../metadata/model.js";

/** Unwrapped data keys (or Shamir shares) by their wrapped form. Holds secrets: keep it in memory only. */
export class DataKeyCache {
  readonly #entries = new Map<string, Uint8Array>();
  readonly #max: number;

  constructor(maxEntries = 10_000) {
    this.#max = maxEntries;
  }

  static #id(type: string, enc: string): string {
    return `${type}\u0000${enc}`;
  }

  get(type: string, enc: string): Uint8Array | undefined {
    return this.#entries.get(DataKeyCache.#id(type, enc));
  }

  set(type: string, enc: string, plaintext: Uint8Array): void {
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(DataKeyCache.#id(type, enc), plaintext);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The cache `decryptFile` uses when none is passed. */
export const defaultDataKeyCache = new DataKeyCache();

/** The default decryption order: age first, then pgp, then the rest as stored. */
export const DEFAULT_DECRYPTION_ORDER: readonly KeyType[] = ["age", "pgp"];

export interface DataKeyOptions {
  readonly registry: ProviderRegistry;
  readonly cache: DataKeyCache;
  readonly order: readonly KeyType[];
  readonly subject: string | undefined;
}

interface Attempt {
  readonly key: MasterKey;
  readonly outcome: string;
  readonly supported: boolean;
}

function ordered(group: KeyGroup, order: readonly KeyType[]): MasterKey[] {
  const rank = (k: MasterKey): number => {
    const i = order.indexOf(k.type);
    return i === -1 ? order.length : i;
  };
  return [...group].sort((a, b) => rank(a) - rank(b));
}

function providerFor(registry: ProviderRegistry, key: MasterKey): KeyProvider | undefined {
  if (key.ref === undefined) return undefined;
  return registry.get(key.ref.type);
}

function outcomeOf(err: unknown): string {
  if (err instanceof SigilError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : "failed";
}

async function unwrapOne(key: MasterKey, opts: DataKeyOptions, attempts: Attempt[]): Promise<Uint8Array | undefined> {
  const cached = opts.cache.get(key.type, key.enc);
  if (cached !== undefined) {
    registerSecret(cached); // again on use: the redactor forgets what is not used for a long while
    return cached;
  }
  const provider = providerFor(opts.registry, key);
  if (provider === undefined || key.ref === undefined) {
    attempts.push({ key, outcome: key.ref === undefined ? "key type not supported by sigil" : "no provider configured", supported: key.ref !== undefined });
    return undefined;
  }
  try {
    const plain = await provider.unwrap(key.ref, key.enc);
    if (plain === null) {
      attempts.push({ key, outcome: "no identity for this key", supported: true });
      return undefined;
    }
    registerSecret(plain);
    opts.cache.set(key.type, key.enc, plain);
    return plain;
  } catch (err) {
    attempts.push({ key, outcome: outcomeOf(err), supported: true });
    return undefined;
  }
}

async function unwrapGroup(group: KeyGroup, opts: DataKeyOptions, attempts: Attempt[]): Promise<Uint8Array | undefined> {
  for (const key of ordered(group, opts.order)) {
    const plain = await unwrapOne(key, opts, attempts);
    if (plain !== undefined) return plain;
  }
  return undefined;
}

async function searchReports(registry: ProviderRegistry, attempts: readonly Attempt[]): Promise<string[]> {
  const types = [...new Set(attempts.filter((a) => a.key.ref !== undefined).map((a) => a.key.ref?.type))];
  const out: string[] = [];
  for (const type of types) {
    const p = type === undefined ? undefined : (registry.get(type) as unknown);
    if (typeof p === "object" && p !== null && "searchReport" in p && typeof p.searchReport === "function") {
      try {
        out.push(`${String(type)} identities were looked for in ${String(await (p.searchReport as () => Promise<unknown>).call(p))}`);
      } catch {
        out.push(`${String(type)} identities could not be listed`);
      }
    }
  }
  return out;
}

async function noKeyError(md: SopsMetadata, attempts: readonly Attempt[], opts: DataKeyOptions, got: number, need: number): Promise<SigilError> {
  const all = md.keyGroups.flat();
  const tried = attempts.map((a) => `${describeKey(a.key)} (${a.outcome})`).join("; ");
  const reports = await searchReports(opts.registry, attempts);
  const groups = md.keyGroups.length > 1 ? ` (${got} of the ${need} key groups needed could be opened)` : "";
  const where = reports.length > 0 ? `; ${reports.join("; ")}` : "";
  if (all.every((k) => k.ref === undefined)) {
    const types = [...new Set(all.map((k) => k.type))].join(", ");
    return new SigilError("decrypt.unknown_provider", `the file's keys use ${types}, which sigil does not support; keys: ${tried}`, { subject: opts.subject });
  }
  return new SigilError("decrypt.no_matching_key", `no key could decrypt the data key${groups}; the file's keys: ${tried}${where}`, { subject: opts.subject });
}

/**
 * The file's data key.
 * @throws SigilError `decrypt.no_matching_key` (listing the file's keys, what each attempt gave
 *   and where identities were looked for), `decrypt.unknown_provider` when every key is of a type
 *   Sigil cannot use, `decrypt.invalid_metadata` for a bad key length or unusable shares.
 */
export async function recoverDataKey(md: SopsMetadata, opts: DataKeyOptions): Promise<Uint8Array> {
  const attempts: Attempt[] = [];
  const parts: Uint8Array[] = [];
  const need = md.keyGroups.length === 1 ? 1 : md.shamirThreshold > 0 ? md.shamirThreshold : md.keyGroups.length;
  for (const group of md.keyGroups) {
    if (parts.length >= need) break;
    const part = await unwrapGroup(group, opts, attempts);
    if (part !== undefined) parts.push(part);
  }
  if (parts.length < need || parts.length === 0) throw await noKeyError(md, attempts, opts, parts.length, need);
  const key = md.keyGroups.length === 1 ? (parts[0] as Uint8Array) : shamirCombine(parts);
  if (key.length !== 32) throw new SigilError("decrypt.invalid_metadata", `the recovered data key has ${key.length} bytes, not 32`, { subject: opts.subject });
  registerSecret(key);
  return key;
}

/** What to wrap for each group: the data key itself, or one Shamir share per group. */
export function groupSecrets(dataKey: Uint8Array, groups: number, threshold: number, random?: (n: number) => Uint8Array): Uint8Array[] {
  if (groups <= 1) return [dataKey];
  return shamirSplit(dataKey, groups, threshold, random);
}

/**
 * Wrap `secret` with every key of a group, filling in `enc` (and `createdAt` for non-age keys).
 * `secret` is registered with the redactor first.
 * @throws SigilError `provider.not_configured` for a key type without a provider, and whatever the provider throws.
 */
export async function wrapGroup(group: KeyGroup, secret: Uint8Array, registry: ProviderRegistry, now: Date, subject?: string): Promise<void> {
  // Registered before any provider sees it (a provider error may echo its request), whichever command wraps.
  registerSecret(secret);
  for (const key of group) {
    const provider = providerFor(registry, key);
    if (provider === undefined || key.ref === undefined) {
      throw new SigilError("provider.not_configured", `cannot encrypt the data key for ${describeKey(key)}: no provider for key type '${key.type}'`, { subject });
    }
    key.enc = await provider.wrap(key.ref, secret);
    if (key.type !== "age") key.createdAt = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  }
}
