/**
 * The pure part of ESO's ClusterExternalSecret reconciler (v0.16.2): which
 * namespaces a ClusterExternalSecret targets, the name and shape of the
 * ExternalSecret it creates in each, ownership, and its status.
 */
import { formatGoDuration, parseGoDuration } from "../core/index.js";
import { selectorMatches } from "./conditions.js";
import { ES_API_VERSION } from "./constants.js";
import type { CesCondition, ClusterExternalSecret, ExternalSecret, LabelSelector, OwnerReference } from "./types.js";

export const CES_KIND = "ClusterExternalSecret";
export const CES_MSG_NAMESPACES_FAILED = "one or more namespaces failed";
export const CES_MSG_ALREADY_EXISTS = "external secret already exists in namespace";
/** The requeue when `refreshTime` is not set (ESO's `RequeueInterval`). */
export const CES_DEFAULT_REFRESH_MS = 60 * 60_000;

/** A namespace as the reconciler sees it. */
export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The ExternalSecrets' name: `externalSecretName`, else the ClusterExternalSecret's. */
export function cesTargetName(ces: ClusterExternalSecret): string {
  const n = ces.spec?.externalSecretName;
  return n === undefined || n === "" ? (ces.metadata?.name ?? "") : n;
}

/** `namespaceSelector` and `namespaceSelectors`, in that order. */
export function cesSelectors(ces: ClusterExternalSecret): LabelSelector[] {
  const s = ces.spec;
  return [...(s?.namespaceSelector === undefined ? [] : [s.namespaceSelector]), ...(s?.namespaceSelectors ?? [])];
}

/** Whether `ns` is targeted: named in `namespaces` or matched by a selector (ESO `GetTargetNamespaces`). */
export function cesTargets(ces: ClusterExternalSecret, ns: NamespaceInfo): boolean {
  if ((ces.spec?.namespaces ?? []).includes(ns.name)) return true;
  const labels = { ...ns.labels, "kubernetes.io/metadata.name": ns.labels["kubernetes.io/metadata.name"] ?? ns.name };
  return cesSelectors(ces).some((sel) => selectorMatches(sel, labels));
}

/** The controller owner reference ESO sets on the ExternalSecrets it creates. */
export function cesOwnerReference(ces: ClusterExternalSecret): OwnerReference {
  return { apiVersion: ES_API_VERSION, kind: CES_KIND, name: ces.metadata?.name ?? "", uid: ces.metadata?.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** ESO `isExternalSecretOwnedBy`: a controller reference of group kind ClusterExternalSecret.external-secrets.io named `cesName`. */
export function isOwnedByCes(es: ExternalSecret, cesName: string): boolean {
  const owner = (es.metadata?.ownerReferences as OwnerReference[] | undefined)?.find((r) => r.controller === true);
  return owner !== undefined && owner.kind === CES_KIND && owner.apiVersion.split("/")[0] === "external-secrets.io" && owner.name === cesName;
}

/** ESO's `mutateFunc` applied to `existing` (or a new object): labels, annotations and spec replaced, the owner reference upserted. */
export function desiredExternalSecret(ces: ClusterExternalSecret, namespace: string, name: string, existing: ExternalSecret | undefined): ExternalSecret {
  const md = ces.spec?.externalSecretMetadata ?? {};
  const owner = cesOwnerReference(ces);
  const refs = ((existing?.metadata?.ownerReferences ?? []) as OwnerReference[]).filter((r) => !(r.kind === owner.kind && r.apiVersion.split("/")[0] === "external-secrets.io" && r.name === owner.name));
  const metadata: NonNullable<ExternalSecret["metadata"]> = { ...(existing?.metadata ?? {}), name, namespace, ownerReferences: [...refs, owner] };
  if (md.labels === undefined) delete metadata.labels; else metadata.labels = { ...md.labels };
  if (md.annotations === undefined) delete metadata.annotations; else metadata.annotations = { ...md.annotations };
  return { ...(existing ?? {}), apiVersion: ES_API_VERSION, kind: "ExternalSecret", metadata, spec: goRoundTrip(structuredClone(ces.spec?.externalSecretSpec ?? {})) };
}

/** The spec as ESO writes it back after reading it into Go types: `refreshInterval` (a `metav1.Duration`) in Go's spelling (`1h` → `1h0m0s`). */
function goRoundTrip(spec: NonNullable<ExternalSecret["spec"]>): NonNullable<ExternalSecret["spec"]> {
  const r = spec.refreshInterval;
  if (r === undefined) return spec;
  try {
    return { ...spec, refreshInterval: formatGoDuration(parseGoDuration(r, "refreshInterval")) };
  } catch {
    return spec;
  }
}

/** ESO `NewClusterExternalSecretCondition`. */
export function cesReadyCondition(failed: number): CesCondition {
  return failed === 0 ? { type: "Ready", status: "True" } : { type: "Ready", status: "False", message: CES_MSG_NAMESPACES_FAILED };
}

/** The status ESO writes: the Ready condition replaced (others kept), failures and provisioned namespaces sorted. */
export function cesStatus(ces: ClusterExternalSecret, esName: string, provisioned: readonly string[], failed: ReadonlyMap<string, string>): NonNullable<ClusterExternalSecret["status"]> {
  const conditions = [...(ces.status?.conditions ?? []).filter((c) => c.type !== "Ready"), cesReadyCondition(failed.size)];
  const failures = [...failed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([namespace, reason]) => ({ namespace, reason }));
  const out: NonNullable<ClusterExternalSecret["status"]> = { externalSecretName: esName, conditions };
  if (failures.length > 0) out.failedNamespaces = failures;
  if (provisioned.length > 0) out.provisionedNamespaces = [...provisioned].sort();
  return out;
}
