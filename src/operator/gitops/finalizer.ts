/**
 * The Sync finalizer, as Flux's kustomize-controller has one: added on a
 * Sync's first reconcile, so that deleting a Sync first garbage-collects
 * what it applied (docs/crds/sync.md, "Deleting a Sync"):
 *
 * - `prune: true` (the default): every object in `status.inventory` is
 *   deleted, in reverse install order (Namespaces and CRDs last), but only
 *   when the live object still carries this Sync's ownership labels (an
 *   object adopted by another Sync, or never written by this one, is left)
 *   and is not annotated `prune: disabled`;
 * - `prune: false`, or a Sync suspended when deleted (as Flux): nothing is
 *   deleted;
 * - an inventory that cannot be read (an unknown version, a malformed entry)
 *   is not trusted: nothing is deleted, a Warning says so;
 * - a failed delete keeps the finalizer: the deletion is retried, and the
 *   Sync stays until every delete succeeded (or someone removes the
 *   finalizer by hand).
 *
 * The inventory is the set to prune whatever the last reconcile did: after
 * a failed apply it holds the previous set plus the objects that apply set
 * out to write, and the ownership check leaves out any of those it never
 * wrote. The Git source is not read, so an unreachable repository or a
 * failing decryption does not block the deletion.
 */
import { describeError } from "../../core/index.js";
import { resourcePath } from "../../kube/index.js";
import type { ChangeSetEntry, KubeClient, KubeObject, ResourceManager } from "../../kube/index.js";
import { SYNC_NAMESPACE_LABEL, SYNC_NAME_LABEL, diff, readInventory, refOf } from "../../reconcile/index.js";
import type { InventoryEntry, Sync } from "../../reconcile/index.js";
import { SYNCS } from "./status.js";

/** The finalizer on every reconciled Sync. */
export const SYNC_FINALIZER = "gitops.sigil.dev/finalizer";

/** What deleting a Sync did to its objects. */
export interface FinalizeOutcome {
  readonly changes: readonly ChangeSetEntry[];
  /** One line per failed delete (no values); non-empty keeps the finalizer. */
  readonly failures: readonly string[];
  /** Why nothing was pruned, when nothing was tried. */
  readonly skipped?: "prune disabled" | "suspended" | "inventory unreadable";
}

export function isDeleting(s: Sync): boolean {
  return s.metadata.deletionTimestamp !== undefined;
}

export function hasFinalizer(s: Sync): boolean {
  return s.metadata.finalizers?.includes(SYNC_FINALIZER) === true;
}

/** Write the finalizers list, on the condition that the Sync has not changed since it was read (a conflict fails: the reconcile is retried). */
async function setFinalizers(client: KubeClient, s: Sync, finalizers: readonly string[]): Promise<void> {
  const path = resourcePath(SYNCS, { namespace: s.metadata.namespace ?? "default", name: s.metadata.name });
  await client.patch(path, { metadata: { finalizers, resourceVersion: s.metadata.resourceVersion } }, "merge");
}

/**
 * Add {@link SYNC_FINALIZER} (one write, on the first reconcile).
 * @throws SigilError `kube.*` (`kube.conflict` when the Sync changed meanwhile).
 */
export async function addFinalizer(client: KubeClient, s: Sync): Promise<void> {
  await setFinalizers(client, s, [...(s.metadata.finalizers ?? []), SYNC_FINALIZER]);
}

/**
 * Remove {@link SYNC_FINALIZER}, letting the API server delete the Sync.
 * @throws SigilError `kube.*`.
 */
export async function removeFinalizer(client: KubeClient, s: Sync): Promise<void> {
  await setFinalizers(client, s, (s.metadata.finalizers ?? []).filter((f) => f !== SYNC_FINALIZER));
}

function stub(entry: InventoryEntry): KubeObject {
  const ref = refOf(entry);
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace === "" ? {} : { namespace: ref.namespace }) } };
}

/** The inventory to prune, or undefined when it cannot be trusted. */
function inventoryToPrune(s: Sync): InventoryEntry[] | undefined {
  try {
    return diff(readInventory(s.status?.inventory), { version: 1, entries: [] });
  } catch {
    return undefined;
  }
}

/**
 * Garbage-collect a deleted Sync's objects (see the module comment). Never throws for a failed delete: it is in `failures`.
 */
export async function pruneDeletedSync(s: Sync, manager: ResourceManager): Promise<FinalizeOutcome> {
  if (s.spec.prune === false) return { changes: [], failures: [], skipped: "prune disabled" };
  if (s.spec.suspend === true) return { changes: [], failures: [], skipped: "suspended" };
  const entries = inventoryToPrune(s);
  if (entries === undefined) return { changes: [], failures: [], skipped: "inventory unreadable" };
  const requireLabels = { [SYNC_NAME_LABEL]: s.metadata.name, [SYNC_NAMESPACE_LABEL]: s.metadata.namespace ?? "default" };
  const changes: ChangeSetEntry[] = [];
  const failures: string[] = [];
  for (const entry of entries) {
    try {
      changes.push(...(await manager.delete([stub(entry)], { propagationPolicy: "Background", requireLabels })));
    } catch (err) {
      failures.push(describeError(err));
    }
  }
  return { changes, failures };
}

/** The Event of a deletion: type, reason, message (counts and object names, never a value). */
export function finalizeEvent(outcome: FinalizeOutcome): { type: "Normal" | "Warning"; reason: string; message: string } {
  if (outcome.skipped === "inventory unreadable") return { type: "Warning", reason: "PruneSkipped", message: "the Sync was deleted, but its inventory cannot be read: no object was deleted" };
  if (outcome.skipped !== undefined) return { type: "Normal", reason: "PruneSkipped", message: `the Sync was deleted; its objects are left in place (${outcome.skipped})` };
  const deleted = outcome.changes.filter((c) => c.action === "deleted").length;
  const left = outcome.changes.filter((c) => c.action === "skipped").map((c) => `${c.subject} (${c.reason ?? ""})`);
  if (outcome.failures.length > 0) return { type: "Warning", reason: "prune.failed", message: `deleting the Sync's objects: ${deleted} deleted, ${outcome.failures.length} failed and will be retried: ${outcome.failures.join("; ")}`.slice(0, 1000) };
  return { type: "Normal", reason: "Pruned", message: `the Sync was deleted: ${deleted} objects deleted${left.length > 0 ? `, ${left.length} left: ${left.slice(0, 10).join(", ")}` : ""}` };
}
