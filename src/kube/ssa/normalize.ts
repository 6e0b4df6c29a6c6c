/**
 * Drift detection, as Flux does it: the live object and the result of a
 * server-side dry-run apply are compared on their labels, annotations and
 * everything outside `metadata` and `status` (so `managedFields`,
 * `resourceVersion`, `generation` and timestamps never count as drift).
 * Diffs name keys and field paths, never values.
 */
import type { KubeObject } from "../objects.js";
import type { KeyChange, ObjectDiff } from "./changeset.js";

type Json = unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const ak = Object.keys(a).filter((k) => a[k] !== undefined);
  const bk = Object.keys(b).filter((k) => b[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

/** What is compared: labels, annotations, and every top-level field but `metadata` and `status`. */
export function comparable(object: KubeObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (key !== "metadata" && key !== "status") out[key] = value;
  out["metadata"] = { labels: object.metadata?.labels ?? {}, annotations: object.metadata?.annotations ?? {} };
  return out;
}

/** True when the dry-run result differs from the live object (see the module comment). */
export function hasDrifted(live: KubeObject, dryRun: KubeObject): boolean {
  return !jsonEqual(comparable(live), comparable(dryRun));
}

/** Dotted paths where two JSON values differ (at most `limit`), without values. */
export function changedPaths(a: Json, b: Json, limit = 50, prefix = ""): string[] {
  if (jsonEqual(a, b)) return [];
  if (!isRecord(a) || !isRecord(b)) return [prefix === "" ? "." : prefix];
  const out: string[] = [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    if (out.length >= limit) break;
    out.push(...changedPaths(a[key], b[key], limit - out.length, prefix === "" ? key : `${prefix}.${key}`));
  }
  return out;
}

function stringMap(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** Per-key changes of a Secret's `data` (and `stringData`, as sent), never values. */
export function secretKeyChanges(live: KubeObject | undefined, desired: KubeObject): KeyChange[] {
  const before = stringMap((live as Record<string, unknown> | undefined)?.["data"]);
  const after = stringMap((desired as Record<string, unknown>)["data"]);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.map((key) => {
    if (!Object.hasOwn(before, key)) return { key, change: "added" };
    if (!Object.hasOwn(after, key)) return { key, change: "removed" };
    return { key, change: before[key] === after[key] ? "unchanged" : "changed" };
  });
}

/** True for a core/v1 Secret. */
export function isSecret(object: KubeObject): boolean {
  return object.kind === "Secret" && object.apiVersion === "v1";
}

/** The value-free diff between the live object and the dry-run result. */
export function objectDiff(live: KubeObject | undefined, dryRun: KubeObject): ObjectDiff {
  if (isSecret(dryRun)) {
    const keys = secretKeyChanges(live, dryRun);
    const rest = changedPaths(withoutData(live), withoutData(dryRun));
    return rest.length === 0 ? { keys } : { keys, fields: rest };
  }
  return { fields: changedPaths(live === undefined ? {} : comparable(live), comparable(dryRun)) };
}

/** A Secret compared without its values (`data`, `stringData`). */
function withoutData(object: KubeObject | undefined): Record<string, unknown> {
  if (object === undefined) return {};
  return Object.fromEntries(Object.entries(comparable(object)).filter(([key]) => key !== "data" && key !== "stringData"));
}
