/**
 * Fingerprints of produced Secrets, so a controller can tell, without
 * decrypting anything, that a Secret it wrote is still what it wrote:
 *
 * - an **inputs digest** (built by each controller over the public inputs it
 *   produced the Secret from) in an annotation; and
 * - a **data MAC**: HMAC-SHA-256 over the produced data, keyed with a
 *   secret only the controller has (the SealedSecret controller derives it
 *   from a sealing private key). It proves the values were not edited,
 *   without a plaintext hash anyone could brute-force.
 *
 * The annotation value is `v1;<key id>;<base64 mac>`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const MAC_VERSION = "v1";

/** A MAC key and the id written next to the MAC (so a verifier can find the key again). */
export interface MacKey {
  /** Names the key; must not contain `;`. */
  readonly id: string;
  readonly key: Uint8Array;
}

/** JSON with object keys sorted at every level (undefined fields left out). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return value === undefined ? "null" : JSON.stringify(value);
}

/** The MAC annotation value for `data`, restricted to `keys` (values as stored: base64). */
export function signData(key: MacKey, data: Readonly<Record<string, string>>, keys: readonly string[]): string {
  return `${MAC_VERSION};${key.id};${computeMac(key, data, keys)}`;
}

/**
 * True when `annotation` is a MAC of `data` (restricted to `keys`) by a key
 * `lookup` still knows. False for a missing, malformed or foreign MAC, and
 * when one of `keys` is missing from `data`.
 */
export function verifyData(annotation: string | undefined, data: Readonly<Record<string, string>>, keys: readonly string[], lookup: (id: string) => MacKey | undefined): boolean {
  const [version, id, mac] = (annotation ?? "").split(";");
  if (version !== MAC_VERSION || id === undefined || mac === undefined) return false;
  const key = lookup(id);
  if (key === undefined || keys.some((k) => data[k] === undefined)) return false;
  const want = Buffer.from(computeMac(key, data, keys));
  const got = Buffer.from(mac);
  return want.length === got.length && timingSafeEqual(want, got);
}

function computeMac(key: MacKey, data: Readonly<Record<string, string>>, keys: readonly string[]): string {
  const hmac = createHmac("sha256", key.key);
  for (const k of [...keys].sort()) hmac.update(`${JSON.stringify(k)}=${data[k] ?? ""}\n`);
  return hmac.digest("base64");
}
