/**
 * Writing a produced Secret (one a controller makes from a SealedSecret, an
 * ExternalSecret or a decrypted manifest), with one set of ownership rules:
 *
 * - no Secret yet: **create** it;
 * - annotated `patch` (`policy.patchAnnotation: "true"`): **merge** the
 *   produced keys, labels and annotations into it;
 * - annotated `managed`, controlled by the producing object, or carrying
 *   the producer's own annotation (written by it before, owner reference
 *   removed or never set): **replace** data, labels, annotations, owner
 *   references and type;
 * - anything else belongs to someone else: **refuse** (the policy's error).
 *
 * A write happens only when it changes something (`sameSecret`).
 */
import type { SigilError } from "../../core/index.js";
import type { ObjectMeta, OwnerReference, SecretObject } from "../objects.js";
import { objectKey, resourcePath, SECRETS } from "../paths.js";
import type { KubeClient } from "../types.js";
import { canonicalJson } from "./mac.js";

/** How an existing Secret is written. */
export type WriteMode = "create" | "replace" | "patch";

/** Who produces the Secret, and which annotations let it take one over. */
export interface ProducerPolicy {
  /** UID of the producing object: a Secret with a controller reference to it is replaced. */
  readonly ownerUid: string | undefined;
  /** An annotation only this producer writes (e.g. its inputs digest): its presence means "written by us". */
  readonly producedAnnotation: string;
  /** `"true"` on an existing Secret means: replace it (bitnami's `sealedsecrets.bitnami.com/managed`). */
  readonly managedAnnotation?: string | undefined;
  /** `"true"` means: merge into it (bitnami's `sealedsecrets.bitnami.com/patch`). */
  readonly patchAnnotation?: string | undefined;
  /** The error for an existing Secret that is not the producer's. */
  readonly refuse: (existing: SecretObject) => SigilError;
}

/** The result of {@link writeSecret}. */
export type WriteResult = "created" | "updated" | "unchanged";

/** A controller owner reference to `owner`. */
export function controllerReference(owner: { readonly apiVersion: string; readonly kind: string; readonly metadata: Pick<ObjectMeta, "name" | "uid"> }): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "", controller: true };
}

/** True when `secret` has a controller reference to the object with `uid`. */
export function isControlledBy(secret: SecretObject, uid: string | undefined): boolean {
  return uid !== undefined && (secret.metadata.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === uid);
}

/**
 * How to write over `existing` (see the module comment).
 * @throws SigilError from `policy.refuse` when it exists and belongs to someone else.
 */
export function writeMode(existing: SecretObject | undefined, policy: ProducerPolicy): WriteMode {
  if (existing === undefined) return "create";
  const annotations = existing.metadata.annotations ?? {};
  if (policy.patchAnnotation !== undefined && annotations[policy.patchAnnotation] === "true") return "patch";
  const managed = policy.managedAnnotation !== undefined && annotations[policy.managedAnnotation] === "true";
  if (managed || annotations[policy.producedAnnotation] !== undefined || isControlledBy(existing, policy.ownerUid)) return "replace";
  throw policy.refuse(existing);
}

/** The Secret to send: `desired` itself for a create, else `existing` with `desired` replaced or merged in. */
export function mergeSecret(existing: SecretObject | undefined, desired: SecretObject, mode: WriteMode, policy?: Pick<ProducerPolicy, "managedAnnotation">): SecretObject {
  if (existing === undefined || mode === "create") return desired;
  const next = structuredClone(existing);
  const meta = next.metadata;
  if (mode === "patch") {
    next.data = { ...(existing.data ?? {}), ...(desired.data ?? {}) };
    meta.labels = { ...(meta.labels ?? {}), ...(desired.metadata.labels ?? {}) };
    meta.annotations = { ...(meta.annotations ?? {}), ...(desired.metadata.annotations ?? {}) };
    const managed = policy?.managedAnnotation;
    if (managed !== undefined && meta.annotations[managed] === "true") setOrDelete(meta, "ownerReferences", desired.metadata.ownerReferences);
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

/** True when writing `next` over `existing` would change nothing a producer manages (data, labels, annotations, owner references, type). */
export function sameSecret(existing: SecretObject, next: SecretObject): boolean {
  const view = (s: SecretObject): unknown => ({
    data: s.data ?? {},
    labels: s.metadata.labels ?? {},
    annotations: s.metadata.annotations ?? {},
    ownerReferences: (s.metadata.ownerReferences ?? []).map((r) => ({ ...r, controller: r.controller === true })),
    type: s.type ?? "Opaque",
  });
  return canonicalJson(view(existing)) === canonicalJson(view(next));
}

/**
 * Write `next` (from {@link mergeSecret}) over `existing`: create, replace,
 * or nothing when it would change nothing. `onWritten` hears the written
 * Secret's key and resourceVersion (to ignore the watch echo of one's own write).
 * @throws SigilError `kube.*` from the client (`kube.conflict` when `existing` is stale, `kube.immutable`).
 */
export async function writeSecret(client: KubeClient, existing: SecretObject | undefined, next: SecretObject, onWritten?: (key: string, resourceVersion: string) => void): Promise<WriteResult> {
  if (existing !== undefined && sameSecret(existing, next)) return "unchanged";
  const namespace = next.metadata.namespace;
  const written =
    existing === undefined
      ? await client.create<SecretObject>(resourcePath(SECRETS, { namespace }), next)
      : await client.replace<SecretObject>(resourcePath(SECRETS, { namespace, name: next.metadata.name }), next);
  const rv = written.metadata.resourceVersion;
  if (rv !== undefined) onWritten?.(objectKey(written.metadata), rv);
  return existing === undefined ? "created" : "updated";
}
