/**
 * The Kubernetes object shapes Sigil reads and writes, in one place. They
 * are plain JSON objects (as parsed from manifests or returned by the API
 * server), not generated model classes: only the fields Sigil looks at are
 * typed, and every other field is carried through untouched.
 */

/** An owner reference (`metadata.ownerReferences[]`). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The subset of `ObjectMeta` Sigil looks at; other fields are carried through untouched. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [field: string]: unknown;
}

/** Any Kubernetes object. Fields beyond these are carried through untouched. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A `metav1.Condition`-shaped status condition (`status` is "True", "False" or "Unknown"). */
export interface Condition {
  type: string;
  status: string;
  observedGeneration?: number;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** A core/v1 Secret. `data` values are base64, as on the wire. */
export interface SecretObject {
  apiVersion: "v1";
  kind: "Secret";
  metadata: ObjectMeta;
  immutable?: boolean;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
}

/** `Kind/namespace/name` of an object (or `Kind/name` when cluster-scoped), for error subjects. */
export function subjectOf(kind: string, meta: Pick<ObjectMeta, "name" | "namespace"> | undefined): string {
  const ns = meta?.namespace ?? "";
  const name = meta?.name ?? "<unnamed>";
  return ns === "" ? `${kind}/${name}` : `${kind}/${ns}/${name}`;
}
