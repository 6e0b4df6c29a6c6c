/**
 * Apply order: the stages of a staged apply (CRDs and Namespaces; then
 * cluster-wide RBAC and `*Class` definitions; then everything else), and
 * within a stage the install order kubectl and Helm use, so that e.g.
 * ServiceAccounts and Secrets come before the workloads that mount them.
 */
import type { KubeObject } from "../objects.js";

/** Kinds in install order; kinds not listed come after them, by name. */
const KIND_ORDER = [
  "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget", "ServiceAccount", "Secret", "ConfigMap",
  "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
  "Role", "RoleBinding", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
  "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
  "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
];

function rank(kind: string | undefined): number {
  const at = KIND_ORDER.indexOf(kind ?? "");
  return at < 0 ? KIND_ORDER.length : at;
}

function group(object: KubeObject): string {
  const apiVersion = object.apiVersion ?? "";
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

/** Objects in install order (stable: kind rank, kind, namespace, name). */
export function sortForApply(objects: readonly KubeObject[]): KubeObject[] {
  const key = (o: KubeObject): string => `${o.kind ?? ""}\u0000${o.metadata?.namespace ?? ""}\u0000${o.metadata?.name ?? ""}`;
  return [...objects].sort((a, b) => rank(a.kind) - rank(b.kind) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Objects in reverse install order, for deletes. */
export function sortForDelete(objects: readonly KubeObject[]): KubeObject[] {
  return sortForApply(objects).reverse();
}

/** True for CRDs and Namespaces: the first stage, waited for before the rest. */
export function isClusterDefinition(object: KubeObject): boolean {
  return (object.kind === "CustomResourceDefinition" && group(object) === "apiextensions.k8s.io") || (object.kind === "Namespace" && object.apiVersion === "v1");
}

/** True for cluster-wide RBAC and `*Class` kinds (StorageClass, IngressClass, PriorityClass, ...): the second stage. */
export function isClusterPolicy(object: KubeObject): boolean {
  const kind = object.kind ?? "";
  return ((kind === "ClusterRole" || kind === "ClusterRoleBinding") && group(object) === "rbac.authorization.k8s.io") || (kind.endsWith("Class") && kind !== "Class");
}

/** The three stages of a staged apply, each in install order (empty stages included). */
export function stages(objects: readonly KubeObject[]): [KubeObject[], KubeObject[], KubeObject[]] {
  const first = objects.filter(isClusterDefinition);
  const second = objects.filter((o) => !isClusterDefinition(o) && isClusterPolicy(o));
  const rest = objects.filter((o) => !isClusterDefinition(o) && !isClusterPolicy(o));
  return [sortForApply(first), sortForApply(second), sortForApply(rest)];
}
