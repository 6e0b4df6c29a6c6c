/**
 * Transforms: what an informer keeps of each object. They run once per
 * object received, before it is cached, so a controller holding thousands
 * of objects keeps only what it reads. Informers are shared by
 * (resource, namespace, selectors, transform id): two controllers asking for
 * the same collection with the same transform share one watch.
 */
import type { KubeObject, SecretObject } from "../objects.js";

/** A named projection of watched objects. The `id` names the function: one id, one function. */
export interface Transform<S> {
  readonly id: string;
  apply(object: unknown): S;
}

/** kubectl's copy of the last applied manifest (a second copy of the object; only costs memory). */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Define a transform. */
export function transform<S>(id: string, apply: (object: unknown) => S): Transform<S> {
  return { id, apply };
}

/** The object without `metadata.managedFields` and kubectl's last-applied annotation (modified in place). */
export function withoutBookkeeping<T extends KubeObject>(object: T): T {
  const meta = object.metadata;
  if (meta === undefined) return object;
  delete meta["managedFields"];
  const annotations = meta.annotations;
  if (annotations?.[LAST_APPLIED_ANNOTATION] !== undefined) {
    meta.annotations = Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== LAST_APPLIED_ANNOTATION));
  }
  return object;
}

/** Keep whole objects minus managedFields and the last-applied annotation: the default for custom resources. */
export const STRIP_BOOKKEEPING: Transform<KubeObject> = transform("strip-bookkeeping", (object) => withoutBookkeeping(object as KubeObject));

/** {@link STRIP_BOOKKEEPING} typed for your object type (the same transform, so informers are still shared). */
export function stripBookkeeping<T extends KubeObject>(): Transform<T> {
  return STRIP_BOOKKEEPING as Transform<T>;
}

/**
 * Any kind, reduced to what identifies and labels it: `apiVersion`, `kind`
 * and `metadata` without bookkeeping; no `spec`, `data` or `status`. For
 * watches that only need to know that an object changed or went away (the
 * reconciler's drift watch over every managed kind): a managed Secret's
 * values, a Deployment's spec and status, stay out of the cache.
 */
export const METADATA_ONLY: Transform<KubeObject> = transform("metadata-only", (object) => {
  const o = withoutBookkeeping(object as KubeObject);
  const view: KubeObject = {};
  if (o.apiVersion !== undefined) view.apiVersion = o.apiVersion;
  if (o.kind !== undefined) view.kind = o.kind;
  if (o.metadata !== undefined) view.metadata = o.metadata;
  return view;
});

/**
 * Secrets without their values (`data`, `stringData`) and bookkeeping:
 * metadata and type only. The shared way to watch Secrets: controllers read
 * a Secret's values with a `get` when they reconcile, so no value sits in
 * the cache of every controller that watches Secrets.
 */
export const SECRET_METADATA: Transform<SecretObject> = transform("secret-metadata", (object) => {
  const secret = withoutBookkeeping(object as SecretObject);
  delete secret.data;
  delete secret.stringData;
  return secret;
});
