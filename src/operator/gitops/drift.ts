/**
 * Drift by watching: one shared informer per managed kind (all namespaces,
 * only objects with Sigil's ownership label), set up as kinds appear in
 * inventories or are about to be applied. A change made by someone else, or
 * a deletion, of an object a Sync manages is handed to `onDrift` at once.
 *
 * Changes that touch nothing Sigil manages are told apart from the rest: an
 * update that keeps the generation (for kinds that have one, the API server
 * bumps it on every change of the desired state) and the labels and
 * annotations Sigil sets is a status update, bookkeeping (managedFields) or
 * another manager's metadata, such as a Deployment's status and revision
 * annotation written by its controller. It is not drift, and it
 * does not make the object look changed to the re-sync memory
 * ({@link DriftWatcher.confirms}, ADR 0004): per object, the watcher keeps
 * the resourceVersions seen since its last change to what Sigil manages.
 */
import type { Logger } from "../../core/index.js";
import { gvkOf, jsonEqual } from "../../kube/index.js";
import type { KubeObject, RestMapper } from "../../kube/index.js";
import { METADATA_ONLY } from "../../kube/runtime/index.js";
import type { InformerHandler, SharedInformer, SharedInformers } from "../../kube/runtime/index.js";
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

/** True when no key of `wanted` (every key when it is unknown) has another value in `next` than in `prev`. */
function sameWhereWanted(prev: Record<string, string> | undefined, next: Record<string, string> | undefined, wanted: Record<string, string> | undefined): boolean {
  const [a, b] = [prev ?? {}, next ?? {}];
  if (wanted === undefined) return jsonEqual(a, b);
  for (const key of Object.keys(wanted)) if (a[key] !== b[key]) return false;
  return true;
}

/**
 * True when `next` differs from `prev` in nothing Sigil manages: the kind has a generation and it is the same (the
 * API server bumps it on every change of the desired state), the deletion timestamp is the same, and so are the
 * labels and annotations that `desired` (the object as Sigil last applied it) sets; other keys belong to other
 * managers (the deployment controller's `deployment.kubernetes.io/revision`), which a server-side apply leaves alone
 * and a server-side diff does not count. With `desired` unknown, every label and annotation counts. A kind without a
 * generation (ConfigMap, Secret, ServiceAccount) never qualifies: every update of it counts.
 */
export function unmanagedChange(prev: Managed, next: Managed, desired?: KubeObject): boolean {
  const g0 = prev.metadata?.generation;
  if (g0 === undefined || g0 !== next.metadata?.generation) return false;
  const [a, b, want] = [prev.metadata ?? {}, next.metadata ?? {}, desired?.metadata];
  if (a.deletionTimestamp !== b.deletionTimestamp) return false;
  return sameWhereWanted(a.labels, b.labels, want === undefined ? undefined : (want.labels ?? {})) && sameWhereWanted(a.annotations, b.annotations, want === undefined ? undefined : (want.annotations ?? {}));
}

/** How many resourceVersions of one unchanged run are kept per object (an older one is not vouched for: the object is diffed). */
const MAX_RUN = 16;

function idOf(o: Managed): string {
  return entryId({ apiVersion: o.apiVersion ?? "", kind: o.kind ?? "", name: o.metadata?.name ?? "", namespace: o.metadata?.namespace ?? "" });
}

export class DriftWatcher implements LiveVersions {
  /** The informer of each watched kind, by `apiVersion/kind`. */
  readonly #watched = new Map<string, SharedInformer<Managed>>();
  /** Per watched object (`apiVersion/kind` NUL `namespace/name`): its resourceVersions since its last change to what Sigil manages, oldest first. */
  readonly #runs = new Map<string, string[]>();

  constructor(
    private readonly informers: () => SharedInformers | undefined,
    private readonly mapper: RestMapper,
    private readonly onDrift: (event: DriftEvent) => void,
    private readonly logger: Logger,
    /** The object a Sync last applied under an inventory id, if known (which labels and annotations are Sigil's). */
    private readonly desired: (syncKey: string, id: string) => KubeObject | undefined = () => undefined,
  ) {}

  /** Watch every kind in `inventory` (once per kind for the process). */
  async watchInventory(inventory: InventoryStatus): Promise<void> {
    await this.watchKinds(inventory.entries.map(refOf));
  }

  /**
   * Watch every kind of `refs` (once per kind for the process; a kind the API server does not serve yet, such as one
   * whose CRD is in the same Sync, is tried again next time). Called before an apply too, so the watch sees the apply's
   * writes and the status updates after them. Returns once the informers exist, not once they have listed.
   */
  async watchKinds(refs: readonly { readonly apiVersion: string; readonly kind: string }[]): Promise<void> {
    for (const ref of refs) {
      const kindKey = `${ref.apiVersion}/${ref.kind}`;
      if (this.#watched.has(kindKey)) continue;
      const informers = this.informers();
      const mapping = informers === undefined ? undefined : await this.mapper.find(gvkOf(ref));
      if (informers === undefined || mapping === undefined || this.#watched.has(kindKey)) continue;
      // Only identity, labels, generation and resourceVersion are read: the cache keeps no spec, data (a Secret's values) or status.
      const informer = informers.informer<Managed>({ resource: { group: mapping.group, version: mapping.version, plural: mapping.plural }, labelSelector: SYNC_NAME_LABEL, transform: METADATA_ONLY });
      this.#watched.set(kindKey, informer);
      informer.addHandler(this.#handler(kindKey));
      this.logger.debug("watching a managed kind for drift", { kind: kindKey });
    }
  }

  #handler(kindKey: string): InformerHandler<Managed> {
    const runKey = (key: string): string => `${kindKey}\0${key}`;
    return {
      added: (key, o) => {
        this.#runs.set(runKey(key), [o.metadata?.resourceVersion ?? ""]);
      },
      updated: (key, prev, next) => {
        const rv = next.metadata?.resourceVersion ?? "";
        const run = this.#runs.get(runKey(key));
        const sync = owner(next);
        if (run !== undefined && unmanagedChange(prev, next, sync === undefined ? undefined : this.desired(sync, idOf(next)))) {
          run.push(rv);
          if (run.length > MAX_RUN) run.shift();
          return;
        }
        this.#runs.set(runKey(key), [rv]);
        if (sync !== undefined) this.onDrift({ syncKey: sync, id: idOf(next), change: "Modified" });
      },
      deleted: (key, prev) => {
        this.#runs.delete(runKey(key));
        const sync = owner(prev);
        if (sync !== undefined) this.onDrift({ syncKey: sync, id: idOf(prev), change: "Deleted" });
      },
    };
  }

  /**
   * True when the watch cache holds the object at `resourceVersion`, or at a later version that differs from it only in
   * what Sigil does not manage (see {@link unmanagedChange}). False before its kind is watched and listed, when it is
   * not there, and when anything it manages changed since (or too many unmanaged updates did: it is then diffed).
   */
  confirms(ref: LiveRef, resourceVersion: string): boolean {
    const kindKey = `${ref.apiVersion}/${ref.kind}`;
    if (this.#watched.get(kindKey)?.hasSynced !== true || resourceVersion === "") return false;
    return this.#runs.get(`${kindKey}\0${ref.namespace ?? ""}/${ref.name}`)?.includes(resourceVersion) === true;
  }
}
