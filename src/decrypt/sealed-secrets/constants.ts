/**
 * Names shared with bitnami-labs/sealed-secrets (docs/formats.md#b2-scopes-and-labels to #b4-controller-keys-and-endpoints) and
 * the few names Sigil adds. Everything that goes on the wire is spelled here
 * once.
 */

/** `apiVersion` of a SealedSecret. */
export const SEALED_SECRET_API_VERSION = "bitnami.com/v1alpha1";
/** `kind` of a SealedSecret. */
export const SEALED_SECRET_KIND = "SealedSecret";

/** Annotation (value `"true"`) selecting the namespace-wide scope. */
export const NAMESPACE_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/namespace-wide";
/** Annotation (value `"true"`) selecting the cluster-wide scope; wins over namespace-wide. */
export const CLUSTER_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/cluster-wide";
/** Annotation on an existing Secret letting the controller take it over. */
export const MANAGED_ANNOTATION = "sealedsecrets.bitnami.com/managed";
/** Annotation on an existing Secret asking the controller to merge instead of replace. */
export const PATCH_ANNOTATION = "sealedsecrets.bitnami.com/patch";
/** Template annotation: do not set an ownerReference on the produced Secret. */
export const SKIP_SET_OWNER_REFERENCES_ANNOTATION = "sealedsecrets.bitnami.com/skip-set-owner-references";

/** Label marking the controller's key Secrets. */
export const SEALING_KEY_LABEL = "sealedsecrets.bitnami.com/sealed-secrets-key";
/** Value of {@link SEALING_KEY_LABEL} on a plain (bitnami-compatible) key Secret. */
export const SEALING_KEY_ACTIVE = "active";
/**
 * Value of {@link SEALING_KEY_LABEL} on a key Secret whose private key is
 * wrapped by a key provider. Bitnami's controller selects only `active`, so
 * it never tries (and fails) to parse a wrapped key.
 */
export const SEALING_KEY_WRAPPED = "wrapped";
/** `generateName` of key Secrets (no trailing hyphen, as bitnami writes it). */
export const SEALING_KEY_GENERATE_NAME = "sealed-secrets-key";

/** Secret type and data keys of a key Secret. */
export const TLS_SECRET_TYPE = "kubernetes.io/tls";
export const TLS_KEY = "tls.key";
export const TLS_CERT = "tls.crt";
/** Data key holding the provider-wrapped private key (Sigil extension). */
export const TLS_KEY_WRAPPED = "tls.key.wrapped";
/** Annotation naming the provider key that wraps {@link TLS_KEY_WRAPPED} (Sigil extension; JSON of a `MasterKeyRef`). */
export const WRAPPED_BY_ANNOTATION = "sealedsecrets.sigil.dev/wrapped-by";

/** Annotations kubeseal strips from the template because they carry a plaintext copy. */
export const LAST_APPLIED_ANNOTATIONS: readonly string[] = [
  "kubectl.kubernetes.io/last-applied-configuration",
  "kubecfg.ksonnet.io/last-applied-configuration",
];

/** Default key size, validity and common name of generated sealing keys (bitnami's defaults). */
export const DEFAULT_KEY_SIZE = 4096;
export const DEFAULT_KEY_TTL_MS = 87_600 * 3_600_000;
