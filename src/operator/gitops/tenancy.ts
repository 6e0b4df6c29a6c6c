/** Tenancy rules of the `syncs` controller that are not about the target: where a Sync's source may live. */
import { SigilError } from "../../core/index.js";
import type { Sync } from "../../reconcile/index.js";

/**
 * The artifact-store key (`namespace/name`) of a Sync's GitSource: `sourceRef.namespace`, else the Sync's.
 * @throws SigilError `sync.cross_namespace_ref` when `noCrossNamespaceRefs` is set and the GitSource is in another namespace (Flux's `--no-cross-namespace-refs`).
 */
export function sourceKeyOf(s: Sync, noCrossNamespaceRefs: boolean): string {
  const own = s.metadata.namespace ?? "default";
  const namespace = s.spec.sourceRef.namespace ?? own;
  if (noCrossNamespaceRefs && namespace !== own) {
    throw new SigilError("sync.cross_namespace_ref", `sourceRef names GitSource '${s.spec.sourceRef.name}' in namespace '${namespace}'; this operator refuses references to other namespaces (--no-cross-namespace-refs)`, { subject: `Sync/${own}/${s.metadata.name}` });
  }
  return `${namespace}/${s.spec.sourceRef.name}`;
}
