/**
 * `delete`: delete objects (in reverse install order) with a propagation
 * policy, as a prune does. Objects annotated
 * `kustomize.toolkit.fluxcd.io/prune: disabled` (on the given or the live
 * object) are skipped, as are objects that are already gone and, when
 * `requireLabels` is given, live objects that do not carry those labels.
 */
import type { KubeObject } from "../objects.js";
import { deleteSkipReason } from "./annotations.js";
import type { ChangeSetEntry } from "./changeset.js";
import type { SsaContext } from "./context.js";
import { applyError } from "./errors.js";
import type { DeleteOptions } from "./options.js";
import { sortForDelete } from "./sort.js";
import { resolveTarget } from "./target.js";
import type { Target } from "./target.js";

function entryOf(target: Target, action: "deleted" | "skipped", reason?: string): ChangeSetEntry {
  return { subject: target.subject, apiVersion: target.object.apiVersion ?? "", kind: target.mapping.kind, namespace: target.namespace, name: target.name, action, ...(reason === undefined ? {} : { reason }) };
}

async function deleteOne(ctx: SsaContext, object: KubeObject, opts: DeleteOptions): Promise<ChangeSetEntry> {
  const target = await resolveTarget(ctx.mapper, object, opts.defaultNamespace);
  try {
    const live = await ctx.client.get<KubeObject>(target.path);
    if (live === undefined) return entryOf(target, "skipped", "not found");
    const owned = Object.entries(opts.requireLabels).every(([k, v]) => live.metadata?.labels?.[k] === v);
    const skip = owned ? deleteSkipReason(target.object, live) : "not owned";
    if (skip !== undefined) return entryOf(target, "skipped", skip);
    const gone = await ctx.client.delete(target.path, { propagationPolicy: opts.propagationPolicy, dryRun: opts.dryRun ? "All" : undefined });
    return gone ? entryOf(target, "deleted") : entryOf(target, "skipped", "not found");
  } catch (err) {
    throw applyError(err, target.subject);
  }
}

/**
 * Delete objects. A kind the API server no longer serves (its CRD was
 * deleted) counts as already gone.
 * @throws SigilError `kube.*` with the object as subject when a delete fails; objects before it stay deleted, the ones after are not tried.
 */
export async function deleteAll(ctx: SsaContext, objects: readonly KubeObject[], opts: DeleteOptions): Promise<ChangeSetEntry[]> {
  const out: ChangeSetEntry[] = [];
  for (const object of sortForDelete(objects)) {
    try {
      out.push(await deleteOne(ctx, object, opts));
    } catch (err) {
      if ((err as { code?: unknown }).code !== "kube.unknown_kind") throw err;
      out.push({ subject: `${object.kind ?? ""}/${object.metadata?.name ?? ""}`, apiVersion: object.apiVersion ?? "", kind: object.kind ?? "", namespace: object.metadata?.namespace, name: object.metadata?.name ?? "", action: "skipped", reason: "kind not served" });
    }
  }
  return out;
}
