/**
 * The object shapes this module reads and writes. They are plain JSON
 * objects (as parsed from YAML/JSON manifests or returned by the API
 * server); `manifest.ts` checks unknown input into these shapes.
 */

/** The subset of `ObjectMeta` Sigil looks at; other fields are carried through untouched. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
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

/** `spec.template` of a SealedSecret. `data` values are template sources. */
export interface SecretTemplate {
  metadata?: ObjectMeta | null;
  type?: string;
  immutable?: boolean;
  data?: Record<string, string> | null;
}

export interface SealedSecretSpec {
  template?: SecretTemplate;
  /** Deprecated v1 format: one blob of the JSON Secret, base64. */
  data?: string;
  encryptedData: Record<string, string>;
}

export interface SealedSecretCondition {
  type: string;
  status: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface SealedSecretStatus {
  observedGeneration?: number;
  conditions?: SealedSecretCondition[];
}

/** A `bitnami.com/v1alpha1` SealedSecret. */
export interface SealedSecretObject {
  apiVersion: "bitnami.com/v1alpha1";
  kind: "SealedSecret";
  metadata: ObjectMeta;
  spec: SealedSecretSpec;
  status?: SealedSecretStatus;
}

/** `Kind/namespace/name` of an object, for error subjects. */
export function subjectOf(kind: string, meta: Pick<ObjectMeta, "name" | "namespace"> | undefined): string {
  const ns = meta?.namespace ?? "";
  const name = meta?.name ?? "<unnamed>";
  return ns === "" ? `${kind}/${name}` : `${kind}/${ns}/${name}`;
}
