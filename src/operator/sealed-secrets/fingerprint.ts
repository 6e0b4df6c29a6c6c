/**
 * How a produced Secret remembers what it was made from, so that
 * re-reconciling an unchanged SealedSecret (after a resync or a restart)
 * needs no RSA private-key operation:
 *
 * - `sealedsecrets.sigil.dev/inputs`: SHA-256 over the OAEP label and the
 *   SealedSecret's whole `spec` (ciphertexts and template) in canonical
 *   JSON. Only public inputs are hashed, never plaintext.
 * - `sealedsecrets.sigil.dev/data-mac`: HMAC-SHA-256 over the produced data,
 *   keyed with a key derived from a sealing private key (named by its
 *   fingerprint). It proves the data was not edited, without a plaintext
 *   hash anyone could brute-force: computing it needs the private key.
 */
import { createHash, createHmac } from "node:crypto";
import type { SealedSecretObject, SealingKey } from "../../decrypt/sealed-secrets/index.js";
import { labelForMeta } from "../../decrypt/sealed-secrets/index.js";

/** Annotation holding the digest of the encrypted inputs. */
export const INPUTS_ANNOTATION = "sealedsecrets.sigil.dev/inputs";
/** Annotation holding the keyed MAC of the produced data. */
export const DATA_MAC_ANNOTATION = "sealedsecrets.sigil.dev/data-mac";

const INPUTS_VERSION = "v1";
const MAC_CONTEXT = "sigil sealed-secrets data-mac v1\0";

/** JSON with object keys sorted at every level. */
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

/** `v1:` + base64 SHA-256 of the label and the canonical spec. */
export function inputsDigest(ss: SealedSecretObject): string {
  const label = labelForMeta(ss.metadata);
  const digest = createHash("sha256")
    .update(`${INPUTS_VERSION}\0`)
    .update(label.toString("base64"))
    .update("\0")
    .update(canonicalJson(ss.spec))
    .digest("base64");
  return `${INPUTS_VERSION}:${digest}`;
}

/** The data keys a SealedSecret produces (encryptedData and template data); undefined for the v1 format, whose keys are inside the blob. */
export function producedKeys(ss: SealedSecretObject): string[] | undefined {
  if (ss.spec.data !== undefined && ss.spec.data !== "") return undefined;
  const keys = new Set([...Object.keys(ss.spec.encryptedData), ...Object.keys(ss.spec.template?.data ?? {})]);
  return [...keys].sort();
}

/** Derives and remembers one MAC key per sealing key. */
export class DataMac {
  readonly #keys = new Map<string, Buffer>();

  #macKey(key: SealingKey): Buffer {
    let mac = this.#keys.get(key.fingerprint);
    if (mac === undefined) {
      const der = key.privateKey.export({ format: "der", type: "pkcs1" });
      mac = createHash("sha256").update(MAC_CONTEXT).update(der).digest();
      der.fill(0);
      this.#keys.set(key.fingerprint, mac);
    }
    return mac;
  }

  /** The annotation value for `data` (restricted to `keys`): `v1;<fingerprint>;<base64 mac>`. */
  sign(key: SealingKey, data: Readonly<Record<string, string>>, keys: readonly string[]): string {
    return `${INPUTS_VERSION};${key.fingerprint};${this.#compute(key, data, keys)}`;
  }

  /**
   * True when `annotation` is a MAC of `data` (restricted to `keys`) by a key
   * `lookup` still knows. False for a missing, malformed or foreign MAC, and
   * when a key is missing from `data`.
   */
  verify(annotation: string | undefined, data: Readonly<Record<string, string>>, keys: readonly string[], lookup: (fp: string) => SealingKey | undefined): boolean {
    const [version, fingerprint, mac] = (annotation ?? "").split(";");
    if (version !== INPUTS_VERSION || fingerprint === undefined || mac === undefined) return false;
    const key = lookup(fingerprint);
    if (key === undefined || keys.some((k) => data[k] === undefined)) return false;
    return this.#compute(key, data, keys) === mac;
  }

  #compute(key: SealingKey, data: Readonly<Record<string, string>>, keys: readonly string[]): string {
    const hmac = createHmac("sha256", this.#macKey(key));
    for (const k of [...keys].sort()) hmac.update(`${JSON.stringify(k)}=${data[k] ?? ""}\n`);
    return hmac.digest("base64");
  }
}
