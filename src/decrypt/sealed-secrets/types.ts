/**
 * The object shapes this module reads and writes. They are plain JSON
 * objects (as parsed from YAML/JSON manifests or returned by the API
 * server); `manifest.ts` checks unknown input into these shapes.
 */

import type { Condition, ObjectMeta } from "../../kube/index.js";

export type { ObjectMeta, OwnerReference, SecretObject } from "../../kube/index.js";
export { subjectOf } from "../../kube/index.js";

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

/** A SealedSecret status condition (the generic {@link Condition}). */
export type SealedSecretCondition = Condition;

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
