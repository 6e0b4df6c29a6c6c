/**
 * What the controller writes to the produced Secret (docs/formats.md#b5-producing-the-secret steps
 * 2–4): the metadata from the template with name and namespace forced and
 * a controller ownerReference, how an existing Secret is treated (create,
 * replace when owned or `managed`, merge when `patch`, refuse otherwise),
 * and whether anything changed.
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
import type { ObjectMeta, OwnerReference, SealedSecretObject, SecretObject } from "../../decrypt/sealed-secrets/index.js";
import { INPUTS_ANNOTATION, canonicalJson } from "./fingerprint.js";

/** How an existing Secret is written. */
export type WriteMode = "create" | "replace" | "patch";

/** The message bitnami uses (and kubeseal users search for) when a Secret is not the controller's. */
export function unmanagedMessage(name: string): string {
  return `Resource "${name}" already exists and is not managed by SealedSecret`;
}

/** True when `secret` has a controller ownerReference to `ss` (by uid). */
export function isControlledBy(secret: SecretObject, ss: SealedSecretObject): boolean {
  const uid = ss.metadata.uid;
  return (secret.metadata.ownerReferences ?? []).some((ref) => ref.controller === true && uid !== undefined && ref.uid === uid);
}

/**
 * How to write over `existing`: `patch` when annotated so; `replace` when
 * annotated `managed`, controlled by `ss`, or produced by Sigil (it carries
 * the inputs digest annotation).
 * @throws SigilError `sealed.unmanaged_secret` when it exists and none of these hold.
 */
export function writeMode(existing: SecretObject | undefined, ss: SealedSecretObject): WriteMode {
  if (existing === undefined) return "create";
  const annotations = existing.metadata.annotations ?? {};
  if (annotations[PATCH_ANNOTATION] === "true") return "patch";
  // A Secret carrying Sigil's inputs digest was written by this controller, even if its owner reference
  // was removed (drift) or never set (skip-set-owner-references), so it is replaced, not refused.
  if (annotations[MANAGED_ANNOTATION] === "true" || annotations[INPUTS_ANNOTATION] !== undefined || isControlledBy(existing, ss)) return "replace";
  throw new SigilError("sealed.unmanaged_secret", unmanagedMessage(existing.metadata.name ?? ""), { subject: subjectOf("Secret", existing.metadata) });
}

/** The controller ownerReference bitnami sets. */
export function ownerReference(ss: SealedSecretObject): OwnerReference {
  return { apiVersion: SEALED_SECRET_API_VERSION, kind: SEALED_SECRET_KIND, name: ss.metadata.name ?? "", uid: ss.metadata.uid ?? "", controller: true };
}

/**
 * The produced Secret without its data: template metadata (name and
 * namespace forced to the SealedSecret's), type, immutable, and the
 * ownerReference unless `skip-set-owner-references`.
 */
export function secretSkeleton(ss: SealedSecretObject): SecretObject {
  const template = ss.spec.template;
  const meta: ObjectMeta = structuredClone(template?.metadata ?? {});
  meta.name = ss.metadata.name ?? "";
  if (ss.metadata.namespace === undefined) delete meta.namespace;
  else meta.namespace = ss.metadata.namespace;
  delete meta.ownerReferences;
  if (template?.metadata?.annotations?.[SKIP_SET_OWNER_REFERENCES_ANNOTATION] !== "true") meta.ownerReferences = [ownerReference(ss)];
  const secret: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: meta };
  if (template?.type !== undefined && template.type !== "") secret.type = template.type;
  if (template?.immutable !== undefined) secret.immutable = template.immutable;
  return secret;
}

/** The Secret to send: `desired` itself for a create, else `existing` with `desired` replaced or merged in. */
export function mergeSecret(existing: SecretObject | undefined, desired: SecretObject, mode: WriteMode): SecretObject {
  if (existing === undefined || mode === "create") return desired;
  const next = structuredClone(existing);
  const meta = next.metadata;
  if (mode === "patch") {
    next.data = { ...(existing.data ?? {}), ...(desired.data ?? {}) };
    meta.labels = { ...(meta.labels ?? {}), ...(desired.metadata.labels ?? {}) };
    meta.annotations = { ...(meta.annotations ?? {}), ...(desired.metadata.annotations ?? {}) };
    if (meta.annotations[MANAGED_ANNOTATION] === "true") setOrDelete(meta, "ownerReferences", desired.metadata.ownerReferences);
  } else {
    next.data = { ...(desired.data ?? {}) };
    setOrDelete(meta, "labels", desired.metadata.labels);
    setOrDelete(meta, "annotations", desired.metadata.annotations);
    setOrDelete(meta, "ownerReferences", desired.metadata.ownerReferences);
  }
  next.type = desired.type ?? "Opaque";
  return next;
}

function setOrDelete<K extends "labels" | "annotations" | "ownerReferences">(meta: ObjectMeta, field: K, value: ObjectMeta[K]): void {
  if (value === undefined) Reflect.deleteProperty(meta, field);
  else meta[field] = structuredClone(value);
}

/** True when writing `next` over `existing` would change nothing the controller manages. */
export function sameSecret(existing: SecretObject, next: SecretObject): boolean {
  const view = (s: SecretObject): unknown => ({
    data: nonEmpty(s.data),
    labels: nonEmpty(s.metadata.labels),
    annotations: nonEmpty(s.metadata.annotations),
    ownerReferences: (s.metadata.ownerReferences ?? []).map((r) => ({ ...r, controller: r.controller === true })),
    type: s.type ?? "Opaque",
  });
  return canonicalJson(view(existing)) === canonicalJson(view(next));
}

function nonEmpty(map: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  return map ?? {};
}
