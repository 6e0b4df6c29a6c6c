/**
 * Step 5a, for a Sync whose writer may be denied (an impersonated
 * ServiceAccount, a remote cluster's user): check every apply and every
 * prune of this reconcile with dry-runs before the first write, so that a
 * denial leaves the whole set unapplied and unpruned (docs/tenancy.md).
 */
import type { KubeObject, ResourceManager } from "../../kube/index.js";
import type { InventoryStatus } from "../api/types.js";
import { diff, inventoryOf } from "../inventory/index.js";
import type { ObjectRef } from "../inventory/index.js";
import type { ApplyStepOptions } from "./apply.js";
import { stub } from "./prune.js";

/**
 * Dry-run `objects` and the deletes of what left the inventory.
 * @throws SigilError `kube.forbidden` with the API server's denial, the object as subject.
 */
export async function preflightObjects(objects: readonly KubeObject[], previous: InventoryStatus, desired: readonly ObjectRef[], manager: ResourceManager, opts: ApplyStepOptions): Promise<void> {
  // An object that names no namespace is namespaced (default namespace) or cluster-scoped (none): keep both ids, as prune keeps what the server resolved. A kind is one or the other, so they never collide.
  const stale = diff(previous, inventoryOf(desired.flatMap((r) => [r, { ...r, namespace: "" }]))).map(stub);
  await manager.preflight(objects, stale, { fieldManager: "sigil", force: true, defaultNamespace: opts.defaultNamespace });
}
