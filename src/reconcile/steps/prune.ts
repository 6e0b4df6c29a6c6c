/**
 * Prune: delete what left Git, one object at a time so that one failed
 * delete does not stop the others; failed deletes stay in the inventory.
 * Objects annotated `prune: disabled` (Flux's or Sigil's; the apply engine
 * checks the live object) are kept and leave the inventory.
 */
import { describeError } from "../../core/index.js";
import type { ChangeSetEntry, KubeObject, ResourceManager } from "../../kube/index.js";
import type { InventoryEntry, InventoryStatus } from "../api/types.js";
import { diff, refOf } from "../inventory/index.js";

export interface PruneResult {
  readonly changes: ChangeSetEntry[];
  /** Entries whose delete failed: kept in the inventory for the next reconcile. */
  readonly retained: InventoryEntry[];
  /** One line per failure (no values). */
  readonly failures: string[];
}

/** A bare object (kind, name, namespace) for an inventory entry: enough to delete it. */
export function stub(entry: InventoryEntry): KubeObject {
  const ref = refOf(entry);
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace === "" ? {} : { namespace: ref.namespace }) } };
}

/**
 * Delete the entries of `old` that are not in `next`.
 * Never throws for a failed delete: it is reported and retained.
 */
export async function pruneObjects(old: InventoryStatus, next: InventoryStatus, manager: ResourceManager, dryRun: boolean): Promise<PruneResult> {
  const result: PruneResult = { changes: [], retained: [], failures: [] };
  for (const entry of diff(old, next)) {
    const object = stub(entry);
    try {
      result.changes.push(...(await manager.delete([object], { dryRun, propagationPolicy: "Background" })));
    } catch (err) {
      result.retained.push(entry);
      result.failures.push(describeError(err));
    }
  }
  return result;
}
