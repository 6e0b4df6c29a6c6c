/**
 * What the controller writes to the produced Secret (docs/sealed-secrets-controller.md):
 * the metadata from the template with name and namespace forced and a
 * controller ownerReference, and the SealedSecret's ownership policy for the
 * shared writer (`src/kube/secrets`): replace when owned, `managed` or
 * written by Sigil before, merge when `patch`, refuse otherwise.
 */
import { SigilError } from "../../core/index.js";
import {
  MANAGED_ANNOTATION,
  PATCH_ANNOTATION,
  SEALED_SECRET_API_VERSION,
  SEALED_SECRET_KIND,
  SKIP_SET_OWNER_REFERENCES_ANNOTATION,
  subjectOf,
} from "../../decrypt/sealed-secrets/index.js";
import type { ObjectMeta, SecretObject, SecretTemplate } from "../../decrypt/sealed-secrets/index.js";
import { controllerReference } from "../../kube/secrets/index.js";
import type { ProducerPolicy } from "../../kube/secrets/index.js";
import { INPUTS_ANNOTATION } from "./fingerprint.js";

/** The message bitnami uses (and kubeseal users search for) when a Secret is not the controller's. */
export function unmanagedMessage(name: string): string {
  return `Resource "${name}" already exists and is not managed by SealedSecret`;
}

/**
 * The SealedSecret's producer policy: bitnami's `managed` and `patch`
 * annotations, its uid as owner, and Sigil's inputs digest as the mark of
 * a Secret it wrote (even if its owner reference was removed or never set).
 * Refusal is `sealed.unmanaged_secret`.
 */
export function sealedSecretPolicy(ss: { readonly metadata: ObjectMeta }): ProducerPolicy {
  return {
    ownerUid: ss.metadata.uid,
    producedAnnotation: INPUTS_ANNOTATION,
    managedAnnotation: MANAGED_ANNOTATION,
    patchAnnotation: PATCH_ANNOTATION,
    refuse: (existing) => new SigilError("sealed.unmanaged_secret", unmanagedMessage(existing.metadata.name ?? ""), { subject: subjectOf("Secret", existing.metadata) }),
  };
}

/**
 * The produced Secret without its data: template metadata (name and
 * namespace forced to the SealedSecret's), type, immutable, and the
 * ownerReference unless `skip-set-owner-references`.
 */
export function secretSkeleton(ss: { readonly metadata: ObjectMeta; readonly spec: { readonly template?: SecretTemplate | undefined } }): SecretObject {
  const template = ss.spec.template;
  const meta: ObjectMeta = structuredClone(template?.metadata ?? {});
  meta.name = ss.metadata.name ?? "";
  if (ss.metadata.namespace === undefined) delete meta.namespace;
  else meta.namespace = ss.metadata.namespace;
  delete meta.ownerReferences;
  if (template?.metadata?.annotations?.[SKIP_SET_OWNER_REFERENCES_ANNOTATION] !== "true") meta.ownerReferences = [controllerReference({ apiVersion: SEALED_SECRET_API_VERSION, kind: SEALED_SECRET_KIND, metadata: ss.metadata })];
  const secret: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: meta };
  if (template?.type !== undefined && template.type !== "") secret.type = template.type;
  if (template?.immutable !== undefined) secret.immutable = template.immutable;
  return secret;
}
