/**
 * Where an object lives: its REST mapping (discovery), namespace and API
 * path, checked before anything is sent.
 */
import { SigilError } from "../../core/index.js";
import type { RestMapper } from "../discovery/index.js";
import { gvkOf } from "../discovery/index.js";
import type { ResourceMapping } from "../discovery/index.js";
import type { KubeObject } from "../objects.js";
import { subjectOf } from "../objects.js";
import { resourcePath } from "../paths.js";

/** An object resolved to its API path. */
export interface Target {
  readonly object: KubeObject;
  readonly mapping: ResourceMapping;
  readonly namespace: string | undefined;
  readonly name: string;
  /** `Kind/namespace/name` or `Kind/name`. */
  readonly subject: string;
  /** The object's API path. */
  readonly path: string;
}

/**
 * Resolve an object: its kind through discovery (refreshed when unknown),
 * the default namespace for namespaced objects that name none, no
 * namespace for cluster-scoped ones.
 * @throws SigilError `apply.invalid` for an object without apiVersion, kind or name; `kube.unknown_kind` when the API server does not serve the kind.
 */
export async function resolveTarget(mapper: RestMapper, object: KubeObject, defaultNamespace: string, waitMs = 0): Promise<Target> {
  const name = object.metadata?.name ?? "";
  const gvk = gvkOf(object);
  if (gvk.kind === "" || gvk.version === "" || name === "") {
    throw new SigilError("apply.invalid", "the object needs apiVersion, kind and metadata.name", { subject: subjectOf(object.kind ?? "<no kind>", object.metadata) });
  }
  const mapping = waitMs > 0 ? await mapper.waitFor(gvk, waitMs) : await mapper.mapping(gvk);
  const ns = object.metadata?.namespace;
  const namespace = mapping.namespaced ? (ns === undefined || ns === "" ? defaultNamespace : ns) : undefined;
  const subject = subjectOf(gvk.kind, { name, ...(namespace === undefined ? {} : { namespace }) });
  const metadata = { ...object.metadata, name, ...(namespace === undefined ? {} : { namespace }) };
  if (namespace === undefined) delete metadata.namespace;
  return { object: { ...object, metadata }, mapping, namespace, name, subject, path: resourcePath(mapping, { namespace, name }) };
}
