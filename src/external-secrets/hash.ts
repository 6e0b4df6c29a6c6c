/**
 * ESO's hashes: hex SHA3-224 of Go's `%+v` rendering (`utils.ObjectHash`).
 * Go prints maps with sorted keys, and `[]byte` as decimal bytes in brackets.
 */
import { createHash } from "node:crypto";
import { compareGoStrings } from "../providers/index.js";

/** Hex SHA3-224 of a string. */
export function sha3Hex(text: string): string {
  return createHash("sha3-224").update(text, "utf8").digest("hex");
}

/** `%+v` of a `map[string]string`. */
export function goStringMap(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort(compareGoStrings);
  return `map[${keys.map((k) => `${k}:${m?.[k] ?? ""}`).join(" ")}]`;
}

/** `%+v` of a `map[string][]byte`. */
export function goByteMap(m: ReadonlyMap<string, Uint8Array>): string {
  const keys = [...m.keys()].sort(compareGoStrings);
  return `map[${keys.map((k) => `${k}:[${Array.from(m.get(k) ?? []).join(" ")}]`).join(" ")}]`;
}

/** The `reconcile.external-secrets.io/data-hash` of a Secret's data. */
export function dataHash(data: ReadonlyMap<string, Uint8Array>): string {
  return sha3Hex(goByteMap(data));
}

/** The `reconcile.external-secrets.io/created-by` label value for an ExternalSecret. */
export function ownerLabel(namespace: string, name: string): string {
  return sha3Hex(`${namespace}/${name}`);
}

/** ESO's `syncedResourceVersion`: `<generation>-<hash of annotations and labels>`. */
export function resourceVersionOf(meta: { generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> } | undefined): string {
  const hash = sha3Hex(`{annotations:${goStringMap(meta?.annotations)} labels:${goStringMap(meta?.labels)}}`);
  return `${meta?.generation ?? 0}-${hash}`;
}

/** A Secret's base64 `data` as bytes. */
export function decodeSecretData(data: Readonly<Record<string, string>> | undefined): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(data ?? {})) out.set(k, new Uint8Array(Buffer.from(v, "base64")));
  return out;
}

/** Bytes as a Secret's base64 `data`. */
export function encodeSecretData(data: ReadonlyMap<string, Uint8Array>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of data) out[k] = Buffer.from(v).toString("base64");
  return out;
}
