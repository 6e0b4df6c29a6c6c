/**
 * The `gitops.sigil.dev/v1alpha1` API as TypeScript types: `GitSource` and
 * `Sync`, exactly as the CRDs in `crds/` define them (docs/crds/gitsource.md,
 * docs/crds/sync.md). Defaults the API server fills in are optional here,
 * because the CLI builds these objects without an API server.
 */

export const GITOPS_GROUP = "gitops.sigil.dev";
export const GITOPS_VERSION = "v1alpha1";
export const GITOPS_API_VERSION = `${GITOPS_GROUP}/${GITOPS_VERSION}`;

/** Reconcile now: Sigil's annotation (its value is any new string, usually a timestamp). */
export const REQUESTED_AT_ANNOTATION = "gitops.sigil.dev/requestedAt";
/** Flux's equivalent, honoured so `flux reconcile`-style tooling works unchanged. */
export const FLUX_REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt";

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly generation?: number | undefined;
  readonly resourceVersion?: string | undefined;
  readonly uid?: string | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly finalizers?: readonly string[] | undefined;
  /** Set by the API server when a delete waits for finalizers. */
  readonly deletionTimestamp?: string | undefined;
}

/** A `metav1.Condition`. */
export interface Condition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly observedGeneration?: number | undefined;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

/** Exactly one of the four (none: the remote's default branch). */
export interface GitRef {
  readonly branch?: string | undefined;
  readonly tag?: string | undefined;
  readonly semver?: string | undefined;
  readonly commit?: string | undefined;
}

export interface LocalObjectReference {
  readonly name: string;
}

export interface GitSourceSpec {
  readonly url: string;
  readonly ref?: GitRef | undefined;
  readonly interval?: string | undefined;
  readonly timeout?: string | undefined;
  readonly suspend?: boolean | undefined;
  readonly ignore?: string | undefined;
  readonly secretRef?: LocalObjectReference | undefined;
}

export interface GitSourceStatus {
  readonly observedGeneration?: number | undefined;
  readonly lastFetchTime?: string | undefined;
  readonly lastHandledReconcileAt?: string | undefined;
  readonly artifact?: { readonly revision: string; readonly lastUpdateTime?: string | undefined } | undefined;
  readonly conditions?: readonly Condition[] | undefined;
}

export interface GitSource {
  readonly apiVersion: typeof GITOPS_API_VERSION;
  readonly kind: "GitSource";
  readonly metadata: ObjectMeta;
  readonly spec: GitSourceSpec;
  readonly status?: GitSourceStatus | undefined;
}

export interface HealthCheckRef {
  readonly apiVersion?: string | undefined;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string | undefined;
}

export type SealedSecretsMode = "Inline" | "Controller";

/** One entry of `spec.dependsOn`. */
export interface SyncDependency {
  readonly name: string;
  readonly namespace?: string | undefined;
}

export interface SyncSpec {
  /** The GitSource; `namespace` defaults to the Sync's (a flag of the operator can forbid other namespaces). */
  readonly sourceRef: { readonly kind: "GitSource"; readonly name: string; readonly namespace?: string | undefined };
  readonly path?: string | undefined;
  /** Every read, apply and delete of the Sync impersonates this ServiceAccount of the Sync's namespace. */
  readonly serviceAccountName?: string | undefined;
  /** Apply to another cluster, with the kubeconfig in this Secret of the Sync's namespace (key `value`, else `value.yaml`, unless `key` is given). */
  readonly kubeConfig?: { readonly secretRef: { readonly name: string; readonly key?: string | undefined } } | undefined;
  readonly interval?: string | undefined;
  readonly retryInterval?: string | undefined;
  readonly timeout?: string | undefined;
  readonly suspend?: boolean | undefined;
  readonly prune?: boolean | undefined;
  readonly allowEmpty?: boolean | undefined;
  readonly selfHeal?: boolean | undefined;
  readonly targetNamespace?: string | undefined;
  readonly force?: boolean | undefined;
  readonly wait?: boolean | undefined;
  readonly healthChecks?: readonly HealthCheckRef[] | undefined;
  readonly decryption?: { readonly provider?: "sops" | undefined; readonly secretRef?: LocalObjectReference | undefined } | undefined;
  readonly sealedSecrets?: SealedSecretsMode | undefined;
  /** Syncs that must be Ready at their latest revision before this one reconciles (namespace defaults to this Sync's). */
  readonly dependsOn?: readonly SyncDependency[] | undefined;
}

/** One inventory entry (docs/inventory.md). */
export interface InventoryEntry {
  /** `<namespace>_<name>_<group>_<Kind>` (namespace and group empty when not applicable). */
  readonly id: string;
  /** The apiVersion the object was applied with. */
  readonly v: string;
}

export interface InventoryStatus {
  readonly version: number;
  readonly entries: readonly InventoryEntry[];
}

export interface DriftEntry {
  readonly id: string;
  readonly change: "Modified" | "Deleted";
  readonly detectedAt: string;
  readonly corrected?: boolean | undefined;
}

export interface SyncStatus {
  readonly observedGeneration?: number | undefined;
  readonly lastAppliedRevision?: string | undefined;
  readonly lastAttemptedRevision?: string | undefined;
  readonly lastHandledReconcileAt?: string | undefined;
  readonly inventory?: InventoryStatus | undefined;
  readonly drift?: { readonly lastDetectedAt?: string | undefined; readonly objects?: readonly DriftEntry[] | undefined } | undefined;
  readonly conditions?: readonly Condition[] | undefined;
}

export interface Sync {
  readonly apiVersion: typeof GITOPS_API_VERSION;
  readonly kind: "Sync";
  readonly metadata: ObjectMeta;
  readonly spec: SyncSpec;
  readonly status?: SyncStatus | undefined;
}
