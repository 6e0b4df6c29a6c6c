/**
 * Drift by watching: one shared informer per managed kind (all namespaces,
 * only objects with Sigil's ownership label), set up as kinds appear in
 * inventories. A change made by someone else, or a deletion, of an object a
 * Sync manages is handed to `onDrift` at once.
 */
import type { Logger } from "../../core/index.js";
import { gvkOf } from "../../kube/index.js";
import type { KubeObject, RestMapper } from "../../kube/index.js";
import { METADATA_ONLY } from "../../kube/runtime/index.js";
import type { SharedInformer, SharedInformers } from "../../kube/runtime/index.js";
import { SYNC_NAMESPACE_LABEL, SYNC_NAME_LABEL, entryId, refOf } from "../../reconcile/index.js";
import type { InventoryStatus, LiveRef, LiveVersions } from "../../reconcile/index.js";

export interface DriftEvent {
  /** `namespace/name` of the owning Sync. */
  readonly syncKey: string;
  /** The inventory id of the object. */
  readonly id: string;
  readonly change: "Modified" | "Deleted";
}

interface Managed {
  readonly metadata?: { labels?: Record<string, string>; generation?: number } & KubeObject["metadata"];
  readonly apiVersion?: string;
  readonly kind?: string;
}

function owner(o: Managed): string | undefined {
  const name = o.metadata?.labels?.[SYNC_NAME_LABEL];
  const ns = o.metadata?.labels?.[SYNC_NAMESPACE_LABEL];
  return name === undefined || ns === undefined ? undefined : `${ns}/${name}`;
}

/** True when only status moved (the generation, where the kind has one, is the same). Sigil's own writes are not filtered here: the Sync's next reconcile finds them unchanged and writes nothing. */
function statusOnly(prev: Managed, next: Managed): boolean {
  const g0 = prev.metadata?.generation;
  return g0 !== undefined && g0 === next.metadata?.generation;
}

function idOf(o: Managed): string {
  return entryId({ apiVersion: o.apiVersion ?? "", kind: o.kind ?? "", name: o.metadata?.name ?? "", namespace: o.metadata?.namespace ?? "" });
}

export class DriftWatcher implements LiveVersions {
  /** The informer of each watched kind, by `apiVersion/kind`. */
  readonly #watched = new Map<string, SharedInformer<Managed>>();

  constructor(
    private readonly informers: () => SharedInformers | undefined,
    private readonly mapper: RestMapper,
    private readonly onDrift: (event: DriftEvent) => void,
    private readonly logger: Logger,
  ) {}

  /** Watch every kind in `inventory` (once per kind for the process). */
  async watchInventory(inventory: InventoryStatus): Promise<void> {
    for (const entry of inventory.entries) {
      const ref = refOf(entry);
      const kindKey = `${ref.apiVersion}/${ref.kind}`;
      if (this.#watched.has(kindKey)) continue;
      const informers = this.informers();
      const mapping = informers === undefined ? undefined : await this.mapper.find(gvkOf(ref));
      if (informers === undefined || mapping === undefined) continue;
      // Only identity, labels, generation and resourceVersion are read: the cache keeps no spec, data (a Secret's values) or status.
      const informer = informers.informer<Managed>({ resource: { group: mapping.group, version: mapping.version, plural: mapping.plural }, labelSelector: SYNC_NAME_LABEL, transform: METADATA_ONLY });
      informer.addHandler({
        updated: (_key, prev, next) => {
          const sync = owner(next);
          if (sync !== undefined && !statusOnly(prev, next)) this.onDrift({ syncKey: sync, id: idOf(next), change: "Modified" });
        },
        deleted: (_key, prev) => {
          const sync = owner(prev);
          if (sync !== undefined) this.onDrift({ syncKey: sync, id: idOf(prev), change: "Deleted" });
        },
      });
      this.#watched.set(kindKey, informer);
      this.logger.debug("watching a managed kind for drift", { kind: kindKey });
    }
  }

  /** The resourceVersion of a managed object in the watch cache; undefined before its kind is watched and listed, or when it is not there. */
  resourceVersion(ref: LiveRef): string | undefined {
    const informer = this.#watched.get(`${ref.apiVersion}/${ref.kind}`);
    if (informer?.hasSynced !== true) return undefined;
    return informer.get(`${ref.namespace ?? ""}/${ref.name}`)?.metadata?.resourceVersion;
  }
}
