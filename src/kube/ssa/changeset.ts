/**
 * Change sets: what `apply`, `diff` and `delete` did (or, in dry-run, would
 * do) to each object. A diff never carries values: Secrets are described
 * per key (added / removed / changed / unchanged), other objects by the
 * paths of the fields that differ.
 */

/** What happened to one object. `unchanged` means no write was made. */
export type ChangeAction = "created" | "configured" | "unchanged" | "deleted" | "skipped";

/** How one key of a Secret's `data` differs between the live and the desired object. */
export interface KeyChange {
  readonly key: string;
  readonly change: "added" | "removed" | "changed" | "unchanged";
}

/** How an object differs from its live state, without any value. */
export interface ObjectDiff {
  /** Secrets: one entry per key of `data` (desired or live). */
  readonly keys?: readonly KeyChange[];
  /** Other objects: dotted paths of the fields that differ (`spec.replicas`, `metadata.labels.app`). */
  readonly fields?: readonly string[];
}

/** One object's entry in a change set. */
export interface ChangeSetEntry {
  /** `Kind/namespace/name` or `Kind/name`. */
  readonly subject: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly action: ChangeAction;
  /** Why it was skipped (an annotation, not found, ...). */
  readonly reason?: string;
  /** For `configured` (and `unchanged`, with no differences): what differs, without values. */
  readonly diff?: ObjectDiff;
  /** True when the object was deleted and created again because an immutable field changed. */
  readonly recreated?: boolean;
  /** After `apply`: the object's resourceVersion as the API server last returned it (read for `unchanged`, written for `created` / `configured`). */
  readonly resourceVersion?: string;
}

/** `subject action` lines, as Flux prints them (`Secret/a/b configured`). */
export function formatChangeSet(entries: readonly ChangeSetEntry[]): string {
  return entries.map((e) => `${e.subject} ${e.action}${e.reason === undefined ? "" : ` (${e.reason})`}`).join("\n");
}

/** Count entries per action. */
export function summarize(entries: readonly ChangeSetEntry[]): Record<ChangeAction, number> {
  const out: Record<ChangeAction, number> = { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0 };
  for (const e of entries) out[e.action]++;
  return out;
}
