/** Tenancy fixtures for the Sync controller tests: ServiceAccounts with RBAC, GitSources and Syncs, kubeconfigs for a ServiceAccount token. */
import { readFileSync } from "node:fs";
import type { HttpKubeClient } from "../../src/kube/index.js";
import { waitFor } from "./bitnami.js";
import { peers } from "./peers.js";

export const GITOPS = "/apis/gitops.sigil.dev/v1alpha1";

/** A ServiceAccount in `namespace`, with a Role there allowing `verbs` on `resources` (core group). */
export async function serviceAccountWithRole(client: HttpKubeClient, namespace: string, name: string, resources: readonly string[], verbs: readonly string[] = ["*"]): Promise<void> {
  await client.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } });
  await client.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name }, rules: [{ apiGroups: [""], resources, verbs }] });
  await client.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects: [{ kind: "ServiceAccount", name, namespace }],
  });
}

/** Let ServiceAccount `namespace/name` get and patch Namespace `target` (a cluster-scoped, first-stage object). */
export async function allowNamespacePatch(client: HttpKubeClient, namespace: string, name: string, target: string): Promise<() => Promise<void>> {
  const role = `${namespace}-${name}-ns`;
  await client.create("/apis/rbac.authorization.k8s.io/v1/clusterroles", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: role }, rules: [{ apiGroups: [""], resources: ["namespaces"], resourceNames: [target], verbs: ["get", "patch"] }] });
  await client.create("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: role },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role }, subjects: [{ kind: "ServiceAccount", name, namespace }],
  });
  return async () => {
    await client.delete(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${role}`);
    await client.delete(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`);
  };
}

export async function createGitSource(client: HttpKubeClient, namespace: string, name: string, url: string): Promise<void> {
  await client.create(`${GITOPS}/namespaces/${namespace}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name }, spec: { url, ref: { branch: "main" }, interval: "1h" } });
}

export async function createSync(client: HttpKubeClient, namespace: string, name: string, labels: Record<string, string>, spec: Record<string, unknown>): Promise<void> {
  await client.create(`${GITOPS}/namespaces/${namespace}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name, labels }, spec: { interval: "1h", prune: true, ...spec } });
}

/** Make the GitSource fetch now. */
export async function requestFetch(client: HttpKubeClient, namespace: string, name: string): Promise<void> {
  await client.patch(`${GITOPS}/namespaces/${namespace}/gitsources/${name}`, { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } } }, "merge");
}

export interface ReadyCondition {
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

export interface SyncObject {
  readonly status?: { readonly conditions?: readonly (ReadyCondition & { type: string })[]; readonly lastAttemptedRevision?: string; readonly inventory?: { entries: { id: string }[] } };
}

/** Wait until the Sync's Ready condition matches (status and, optionally, reason) for `revision` (when given). */
export async function waitReady(client: HttpKubeClient, namespace: string, name: string, status: "True" | "False", reason?: string, revision?: string): Promise<ReadyCondition> {
  return waitFor(`Sync ${namespace}/${name} Ready=${status}${reason === undefined ? "" : ` (${reason})`}`, async () => {
    const s = await client.get<SyncObject>(`${GITOPS}/namespaces/${namespace}/syncs/${name}`);
    const ready = s?.status?.conditions?.find((c) => c.type === "Ready");
    if (revision !== undefined && s?.status?.lastAttemptedRevision !== revision) return undefined;
    return ready !== undefined && ready.status === status && (reason === undefined || ready.reason === reason) ? ready : undefined;
  }, 30_000, 100);
}

/** The GitSource's artifact revision, once it has `commit`. */
export async function revisionOf(client: HttpKubeClient, namespace: string, name: string, commit: string): Promise<string> {
  return waitFor("the GitSource to fetch the commit", async () => {
    const gs = await client.get<{ status?: { artifact?: { revision?: string } } }>(`${GITOPS}/namespaces/${namespace}/gitsources/${name}`);
    const rev = gs?.status?.artifact?.revision;
    return rev?.endsWith(commit) === true ? rev : undefined;
  }, 30_000, 100);
}

/** A bearer token of ServiceAccount `namespace/name` (TokenRequest, 1 h). */
export async function serviceAccountToken(client: HttpKubeClient, namespace: string, name: string): Promise<string> {
  const tr = await client.create<{ status: { token: string } }>(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } });
  return tr.status.token;
}

/** A kubeconfig for `server` with the environment's CA inline and a bearer token (and optionally extra user fields). */
export function tokenKubeconfig(server: string, token: string, caFile: string = peers().kube.caFile, extraUser: Record<string, unknown> = {}): string {
  const ca = readFileSync(caFile).toString("base64");
  return JSON.stringify({
    apiVersion: "v1", kind: "Config", "current-context": "remote",
    clusters: [{ name: "remote", cluster: { server, "certificate-authority-data": ca } }],
    users: [{ name: "remote", user: { token, ...extraUser } }],
    contexts: [{ name: "remote", context: { cluster: "remote", user: "remote" } }],
  });
}
