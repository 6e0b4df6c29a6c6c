/**
 * Before apply: the namespace each object goes to (`targetNamespace` wins
 * for namespaced kinds) and Sigil's ownership labels.
 */
import { gvkOf } from "../../kube/index.js";
import type { KubeObject as LiveObject, RestMapper } from "../../kube/index.js";
import type { KubeObject } from "../render/index.js";

/** Labels on every applied object: which Sync owns it. */
export const SYNC_NAME_LABEL = "gitops.sigil.dev/sync-name";
export const SYNC_NAMESPACE_LABEL = "gitops.sigil.dev/sync-namespace";

export interface PrepareOptions {
  readonly targetNamespace: string | undefined;
  /** The owner written into the labels (`namespace/name` of the Sync, or the CLI's id). */
  readonly owner: { readonly name: string; readonly namespace: string };
}

function crdScopes(objects: readonly KubeObject[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const o of objects) {
    if (o.kind !== "CustomResourceDefinition") continue;
    const spec = o["spec"] as { group?: unknown; names?: { kind?: unknown }; scope?: unknown } | undefined;
    if (typeof spec?.group === "string" && typeof spec.names?.kind === "string") out.set(`${spec.group}/${spec.names.kind}`, spec.scope === "Namespaced");
  }
  return out;
}

async function isNamespaced(o: KubeObject, mapper: RestMapper, crds: ReadonlyMap<string, boolean>): Promise<boolean | undefined> {
  const gvk = gvkOf(o);
  const fromRender = crds.get(`${gvk.group}/${gvk.kind}`);
  if (fromRender !== undefined) return fromRender;
  return (await mapper.find(gvk))?.namespaced;
}

/**
 * The objects as they will be applied: new objects with their own `metadata`; everything else (`spec`, `data`) is
 * shared with the inputs, which are not changed. Both are read-only from here on: the controller reuses the inputs
 * for later re-syncs of the same revision (render-memory.ts), and a deep copy of 1,000 objects per re-sync was the
 * largest cost left in one.
 * @throws SigilError `kube.*` when discovery fails.
 */
export async function prepareObjects(objects: readonly KubeObject[], mapper: RestMapper, opts: PrepareOptions): Promise<LiveObject[]> {
  const crds = crdScopes(objects);
  const out: LiveObject[] = [];
  for (const o of objects) {
    const copy = { ...o, metadata: structuredClone(o.metadata) } as LiveObject & { metadata: NonNullable<LiveObject["metadata"]> };
    if (opts.targetNamespace !== undefined && (await isNamespaced(o, mapper, crds)) === true) copy.metadata.namespace = opts.targetNamespace;
    copy.metadata.labels = { ...copy.metadata.labels, [SYNC_NAME_LABEL]: opts.owner.name, [SYNC_NAMESPACE_LABEL]: opts.owner.namespace };
    out.push(copy);
  }
  return out;
}
