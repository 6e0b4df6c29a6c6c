/**
 * API paths of the resources the operator uses.
 */

/** A resource type: group ("" for core), version and plural name. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

export const SECRETS: ResourceType = { group: "", version: "v1", plural: "secrets" };
export const EVENTS: ResourceType = { group: "", version: "v1", plural: "events" };
export const SERVICES: ResourceType = { group: "", version: "v1", plural: "services" };
export const SEALED_SECRETS: ResourceType = { group: "bitnami.com", version: "v1alpha1", plural: "sealedsecrets" };

/** Where an object (or a collection) lives. */
export interface ObjectRef {
  /** Namespace; undefined for the all-namespaces collection. */
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly subresource?: string | undefined;
}

/**
 * The API path of a collection (no name) or an object.
 * `resourcePath(SECRETS, { namespace: "a", name: "b" })` is `/api/v1/namespaces/a/secrets/b`.
 */
export function resourcePath(type: ResourceType, ref: ObjectRef = {}): string {
  const base = type.group === "" ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const ns = ref.namespace === undefined ? "" : `/namespaces/${encodeURIComponent(ref.namespace)}`;
  const name = ref.name === undefined ? "" : `/${encodeURIComponent(ref.name)}`;
  const sub = ref.subresource === undefined || ref.name === undefined ? "" : `/${ref.subresource}`;
  return `${base}${ns}/${type.plural}${name}${sub}`;
}

/** `namespace/name`, the key objects are stored and queued under. */
export function objectKey(meta: { readonly namespace?: string | undefined; readonly name?: string | undefined } | undefined): string {
  return `${meta?.namespace ?? ""}/${meta?.name ?? ""}`;
}

/** Split a `namespace/name` key. */
export function splitKey(key: string): { namespace: string; name: string } {
  const at = key.indexOf("/");
  return at < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, at), name: key.slice(at + 1) };
}
