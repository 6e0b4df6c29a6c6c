/** Printing a change set: one line per object, never a value. */
import type { ChangeSetEntry } from "../../../kube/index.js";

function detail(e: ChangeSetEntry): string {
  if (e.reason !== undefined) return ` (${e.reason})`;
  const keys = e.diff?.keys?.filter((k) => k.change !== "unchanged").map((k) => `${k.key} ${k.change}`);
  if (keys !== undefined && keys.length > 0) return ` (keys: ${keys.join(", ")})`;
  const fields = e.diff?.fields;
  if (e.action === "configured" && fields !== undefined && fields.length > 0) return ` (fields: ${fields.slice(0, 10).join(", ")}${fields.length > 10 ? ", …" : ""})`;
  return e.recreated === true ? " (recreated)" : "";
}

/** `Kind/ns/name action (detail)` lines. */
export function changeLines(entries: readonly ChangeSetEntry[]): string[] {
  return entries.map((e) => `${e.subject} ${e.action}${detail(e)}`);
}

/** `created 1, configured 0, unchanged 3, deleted 0` (and skipped, when any). */
export function countLine(entries: readonly ChangeSetEntry[]): string {
  const n = { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0 };
  for (const e of entries) n[e.action]++;
  return `created ${n.created}, configured ${n.configured}, unchanged ${n.unchanged}, deleted ${n.deleted}${n.skipped > 0 ? `, skipped ${n.skipped}` : ""}`;
}

/** True when applying would change the cluster. */
export function hasDrift(entries: readonly ChangeSetEntry[]): boolean {
  return entries.some((e) => e.action === "created" || e.action === "configured" || e.action === "deleted");
}
