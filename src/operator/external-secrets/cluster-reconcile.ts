/**
 * One reconcile of a ClusterExternalSecret, in ESO v0.16.2's order:
 *
 * 1. skip objects being deleted;
 * 2. a new `externalSecretName`: delete the old-named ExternalSecrets it owns;
 * 3. find the target namespaces (names and label selectors);
 * 4. delete its ExternalSecrets from namespaces no longer targeted;
 * 5. create or update the ExternalSecret in each target namespace (one
 *    that exists and is not its own is a failure, left alone);
 * 6. write the status (`Ready`, `provisionedNamespaces`, `failedNamespaces`)
 *    and look again after `refreshTime`.
 */
import { SigilError, describeError, parseGoDuration } from "../../core/index.js";
import { resourcePath } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import { CES_DEFAULT_REFRESH_MS, CES_MSG_ALREADY_EXISTS, cesStatus, cesTargetName, desiredExternalSecret, isOwnedByCes } from "../../external-secrets/index.js";
import type { ClusterExternalSecret, ExternalSecret, NamespaceInfo } from "../../external-secrets/index.js";
import { canonicalJson } from "../../kube/secrets/index.js";
import { CLUSTER_EXTERNAL_SECRETS, EXTERNAL_SECRETS } from "./resources.js";
import { writeStatus } from "./status.js";

/** What a reconcile needs. */
export interface CesReconcileDeps {
  readonly client: KubeClient;
  /** The namespaces the ClusterExternalSecret targets (from the Namespace cache). */
  readonly targets: (ces: ClusterExternalSecret) => NamespaceInfo[];
}

/** What the loop does next. */
export interface CesOutcome {
  readonly requeueAfterMs: number;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : describeError(err));

/** The requeue interval: `refreshTime` (Go duration), else one hour. */
export function cesRefreshMs(ces: ClusterExternalSecret): number {
  const t = ces.spec?.refreshTime;
  if (t === undefined || t === "") return CES_DEFAULT_REFRESH_MS;
  try {
    return Math.max(0, parseGoDuration(t, "refreshTime"));
  } catch {
    return CES_DEFAULT_REFRESH_MS;
  }
}

/** Reconcile `ces` (the cached object). @throws SigilError `kube.*` when the status cannot be written. */
export async function reconcileClusterExternalSecret(deps: CesReconcileDeps, ces: ClusterExternalSecret): Promise<CesOutcome> {
  if (ces.metadata?.["deletionTimestamp"] !== undefined) return { requeueAfterMs: 0 };
  const esName = cesTargetName(ces);
  const cesName = ces.metadata?.name ?? "";
  const previous = ces.status?.provisionedNamespaces ?? [];
  const prevName = ces.status?.externalSecretName ?? "";
  if (prevName !== esName) {
    const failed = await deleteOwned(deps.client, prevName, cesName, previous, "could not delete ExternalSecret");
    if (failed.size > 0) {
      await writeStatus(deps.client, CLUSTER_EXTERNAL_SECRETS, ces, cesStatus(ces, prevName, previous, failed));
      throw new SigilError("kube.failed", "could not delete the ExternalSecrets of the previous externalSecretName", { subject: `ClusterExternalSecret/${cesName}` });
    }
  }
  const namespaces = deps.targets(ces);
  const wanted = new Set(namespaces.map((n) => n.name));
  const failed = await deleteOwned(deps.client, esName, cesName, previous.filter((n) => !wanted.has(n)), "external secret in non matching namespace could not be deleted");
  const provisioned: string[] = [];
  for (const ns of namespaces) {
    const reason = await provision(deps.client, ces, ns.name, esName);
    if (reason === undefined) provisioned.push(ns.name);
    else failed.set(ns.name, reason);
  }
  const written = await writeStatus(deps.client, CLUSTER_EXTERNAL_SECRETS, ces, cesStatus(ces, esName, provisioned, failed));
  return { requeueAfterMs: written ? cesRefreshMs(ces) : 0 };
}

/** Create or update the ExternalSecret in `namespace`; a failure reason, or undefined. */
async function provision(client: KubeClient, ces: ClusterExternalSecret, namespace: string, name: string): Promise<string | undefined> {
  const path = resourcePath(EXTERNAL_SECRETS, { namespace, name });
  try {
    const existing = await client.get<ExternalSecret>(path);
    if (existing !== undefined && !isOwnedByCes(existing, ces.metadata?.name ?? "")) return CES_MSG_ALREADY_EXISTS;
    const next = desiredExternalSecret(ces, namespace, name, existing);
    if (existing === undefined) await client.create(resourcePath(EXTERNAL_SECRETS, { namespace }), next);
    else if (!sameExternalSecret(existing, next)) await client.replace(path, next);
    return undefined;
  } catch (err) {
    return `could not create or update ExternalSecret: ${errorText(err)}`;
  }
}

/** True when `next` changes nothing ESO's mutate function sets (labels, annotations, spec, owner references). */
export function sameExternalSecret(existing: ExternalSecret, next: ExternalSecret): boolean {
  const view = (e: ExternalSecret): unknown => [e.metadata?.labels ?? {}, e.metadata?.annotations ?? {}, e.metadata?.ownerReferences ?? [], e.spec ?? {}];
  return canonicalJson(view(existing)) === canonicalJson(view(next));
}

/** Delete the ExternalSecret `name` that `cesName` owns in each namespace; failures by namespace. */
async function deleteOwned(client: KubeClient, name: string, cesName: string, namespaces: readonly string[], what: string): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  if (name === "") return failed;
  for (const namespace of namespaces) {
    const path = resourcePath(EXTERNAL_SECRETS, { namespace, name });
    try {
      const es = await client.get<ExternalSecret>(path);
      if (es !== undefined && isOwnedByCes(es, cesName)) await client.delete(path);
    } catch (err) {
      failed.set(namespace, `${what}: ${errorText(err)}`);
    }
  }
  return failed;
}
