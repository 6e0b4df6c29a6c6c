/** Group/version/kind and what the API server says about the resource behind it. */

/** A kind in an API group version. `group` is "" for the core group. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** Where objects of one kind live: the REST mapping. */
export interface ResourceMapping extends GroupVersionKind {
  /** The plural resource name in URLs, e.g. `deployments`. */
  readonly plural: string;
  /** True for namespaced kinds, false for cluster-scoped ones. */
  readonly namespaced: boolean;
  /** The verbs the resource supports (`get`, `list`, `patch`, ...). */
  readonly verbs: readonly string[];
}

/**
 * The group/version/kind of an object's `apiVersion` and `kind`
 * (`apps/v1` → group `apps`, version `v1`; `v1` → the core group).
 */
export function gvkOf(object: { readonly apiVersion?: string | undefined; readonly kind?: string | undefined }): GroupVersionKind {
  const apiVersion = object.apiVersion ?? "";
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion, kind: object.kind ?? "" }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind: object.kind ?? "" };
}

/** `apps/v1` or `v1`. */
export function apiVersionOf(gv: { readonly group: string; readonly version: string }): string {
  return gv.group === "" ? gv.version : `${gv.group}/${gv.version}`;
}

/** `Kind.group/version`, for messages. */
export function describeGvk(gvk: GroupVersionKind): string {
  return `${gvk.kind} ${apiVersionOf(gvk)}`;
}
