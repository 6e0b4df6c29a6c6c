/**
 * One reconcile of an ExternalSecret, in ESO v0.16.2's order:
 *
 * 1. skip objects being deleted and those whose stores belong to another controller class;
 * 2. label an existing unmanaged target Secret as managed, then come back;
 * 3. skip when no refresh is due and the Secret is intact (drift is seen by the data-hash);
 * 4. read the provider (failures keep the Secret as it is); first syncs and
 *    repairs at once, periodic refreshes rate-limited per store and, when
 *    overdue at a restart, spread (`schedule.ts`);
 * 5. nothing found: apply `deletionPolicy`;
 * 6. write the Secret as `creationPolicy` says;
 * 7. record the status (`Ready`, `refreshTime`, `syncedResourceVersion`, `binding`).
 */
import { SigilError } from "../../core/index.js";
import { SECRETS, resourcePath } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import {
  ANNOTATION_DATA_HASH, EVENT_CREATED, EVENT_DELETED, EVENT_MISSING_PROVIDER_SECRET, EVENT_UPDATED, EVENT_UPDATE_FAILED, LABEL_MANAGED, LABEL_MANAGED_VALUE,
  MSG_DELETED, MSG_ERR_DELETE, MSG_ERR_GET_DATA, MSG_ERR_IMMUTABLE, MSG_ERR_OWNED, MSG_ERR_OWNER, MSG_ERR_UPDATE, MSG_MISSING, MSG_SYNCED, MSG_SYNCED_RETAIN,
  REASON_DELETED, REASON_MISSING, REASON_SYNCED, dataHash, decodeSecretData, fetchProviderData, nextRefreshInMs, resourceVersionOf, shouldRefresh,
} from "../../external-secrets/index.js";
import type { ByteMap, ExternalSecret, SecretObject } from "../../external-secrets/index.js";
import { belongsToOtherController, storeLookup, storeResolver } from "./resolve.js";
import type { ResolveDeps, StoreLookup } from "./resolve.js";
import { EXTERNAL_SECRETS } from "./resources.js";
import { dueAt, isPeriodicRefresh } from "./schedule.js";
import { deleteOrphans, writeSecret } from "./secret-write.js";
import { markDone, markFailed, writeStatus } from "./status.js";

/** What a reconcile needs. */
export interface EsReconcileDeps extends ResolveDeps {
  readonly client: KubeClient;
  readonly now: () => number;
  readonly event: (es: ExternalSecret, type: "Normal" | "Warning", reason: string, message: string) => void;
  /** Per-store rate limit of periodic refreshes: 0 = go, else seconds to wait. */
  readonly takeStoreToken: (storeKey: string) => number;
  /**
   * How long to put off a due refresh of `key` (0 = now); `periodic` when
   * only time has passed (`RefreshSpread.delayMs` in schedule.ts). Called on every reconcile.
   */
  readonly refreshDelayMs?: ((key: string, es: ExternalSecret, periodic: boolean) => number) | undefined;
  /** Jitter added to periodic requeues (ms, given the interval). */
  readonly jitterMs: (intervalMs: number) => number;
}

/** What the loop does next. */
export interface EsOutcome {
  readonly retry: boolean;
  readonly requeueAfterMs?: number;
}

type Status = NonNullable<ExternalSecret["status"]>;

/** ESO `isSecretValid`. */
export function isSecretValid(s: SecretObject | undefined): boolean {
  if (s === undefined) return false;
  if (s.metadata?.labels?.[LABEL_MANAGED] !== LABEL_MANAGED_VALUE) return false;
  return s.metadata.annotations?.[ANNOTATION_DATA_HASH] === dataHash(decodeSecretData(s.data));
}

function requeue(deps: EsReconcileDeps, es: ExternalSecret, status: Status): EsOutcome {
  const next = nextRefreshInMs({ ...es, status }, deps.now());
  if (next === undefined) return { retry: false };
  return { retry: false, requeueAfterMs: next + deps.jitterMs(next) };
}

/** The name of the Secret `es` produces: `spec.target.name`, else the ExternalSecret's own (ESO: an empty name counts as none). */
export function targetName(es: ExternalSecret): string {
  const name = es.spec?.target?.name;
  return name === undefined || name === "" ? (es.metadata?.name ?? "") : name;
}

/** Reconcile `es` (the cached object). */
export async function reconcileExternalSecret(deps: EsReconcileDeps, es: ExternalSecret): Promise<EsOutcome> {
  const m = es.metadata ?? {};
  if (m["deletionTimestamp"] !== undefined) return { retry: false };
  const ns = m.namespace ?? "";
  const stores = storeLookup(deps.client, ns);
  if (await belongsToOtherController(deps, es, stores)) return { retry: false };
  const name = targetName(es);
  const secretPath = resourcePath(SECRETS, { namespace: ns, name });
  const existing = await deps.client.get<SecretObject>(secretPath);
  if (existing !== undefined && existing.metadata?.labels?.[LABEL_MANAGED] !== LABEL_MANAGED_VALUE) {
    await deps.client.patch(secretPath, { metadata: { labels: { [LABEL_MANAGED]: LABEL_MANAGED_VALUE } } }, "merge");
    return { retry: false, requeueAfterMs: 0 };
  }
  const start = deps.now();
  const valid = isSecretValid(existing);
  const due = shouldRefresh(es, start);
  const periodic = due && isPeriodicRefresh(es, valid);
  const delay = deps.refreshDelayMs?.(`${ns}/${m.name ?? ""}`, es, periodic) ?? 0;
  if (!due && valid) return requeue(deps, es, es.status ?? {});
  if (delay > 0) return { retry: false, requeueAfterMs: delay };
  if (periodic) {
    const wait = deps.takeStoreToken(`${es.spec?.secretStoreRef?.kind ?? "SecretStore"}/${es.spec?.secretStoreRef?.kind === "ClusterSecretStore" ? "" : ns}/${es.spec?.secretStoreRef?.name ?? ""}`);
    if (wait > 0) return { retry: false, requeueAfterMs: Math.ceil(wait * 1000) };
  }
  const { status, outcome } = await sync(deps, es, name, existing, start, stores, periodic);
  const written = await writeStatus(deps.client, EXTERNAL_SECRETS, es, status);
  return written ? outcome : { retry: false, requeueAfterMs: 0 };
}

async function sync(deps: EsReconcileDeps, es: ExternalSecret, name: string, existing: SecretObject | undefined, start: number, stores: StoreLookup, periodic: boolean): Promise<{ status: Status; outcome: EsOutcome }> {
  // ESO always writes `binding` (the CRD defaults its name to "").
  const status: Status = { binding: { name: "" }, ...(es.status ?? {}) };
  const failed = (msg: string, err: unknown, retry: boolean): { status: Status; outcome: EsOutcome } => {
    deps.event(es, "Warning", EVENT_UPDATE_FAILED, err instanceof Error ? err.message : String(err));
    return { status: markFailed(status, msg, deps.now()), outcome: { retry } };
  };
  let data: ByteMap;
  try {
    // A spec or metadata change (force-sync) after a sync must see current data; a first sync may share a recent read;
    // a periodic refresh, any read of the same path made since it came due (the readers of a path after a restart).
    const synced = es.status?.syncedResourceVersion ?? "";
    const forced = synced !== "" && synced !== resourceVersionOf(es.metadata);
    const reuse = forced ? { fresh: true } : periodic ? { notBefore: dueAt(es) } : {};
    const fetched = await fetchProviderData(es, storeResolver(deps, es, reuse, stores));
    for (const msg of fetched.missing) deps.event(es, "Normal", EVENT_MISSING_PROVIDER_SECRET, msg);
    data = fetched.data;
  } catch (err) {
    return failed(MSG_ERR_GET_DATA, err, true);
  }
  const target = es.spec?.target ?? {};
  const creation = target.creationPolicy ?? "Owner";
  if (data.size === 0) {
    const policy = target.deletionPolicy ?? "Retain";
    if (policy === "Delete") {
      if (creation !== "Owner") return failed(MSG_ERR_DELETE, new SigilError("es.invalid_spec", `unable to delete secret ${name}: creationPolicy=${creation} is not Owner`), false);
      if (existing !== undefined) {
        await deps.client.delete(resourcePath(SECRETS, { namespace: es.metadata?.namespace ?? "", name }));
        deps.event(es, "Normal", EVENT_DELETED, MSG_DELETED);
      }
      const done = markDone(status, es, REASON_DELETED, MSG_DELETED, start);
      return { status: done, outcome: requeue(deps, es, done) };
    }
    if (policy === "Retain") {
      const done = markDone(status, es, REASON_SYNCED, MSG_SYNCED_RETAIN, start);
      return { status: done, outcome: requeue(deps, es, done) };
    }
  }
  return write(deps, es, name, existing, data, start, status, failed);
}

async function write(
  deps: EsReconcileDeps, es: ExternalSecret, name: string, existing: SecretObject | undefined, data: ByteMap, start: number, status: Status,
  failed: (msg: string, err: unknown, retry: boolean) => { status: Status; outcome: EsOutcome },
): Promise<{ status: Status; outcome: EsOutcome }> {
  const creation = es.spec?.target?.creationPolicy ?? "Owner";
  if (creation === "Merge" && existing === undefined) {
    const done = markDone(status, es, REASON_MISSING, MSG_MISSING, start);
    return { status: done, outcome: requeue(deps, es, done) };
  }
  try {
    if (creation === "Owner") await deleteOrphans(deps.client, es, name);
    if (creation !== "None") {
      const result = await writeSecret(deps.client, es, name, existing, data);
      status.binding = { name };
      if (result === "created") deps.event(es, "Normal", EVENT_CREATED, "secret created");
      if (result === "updated") deps.event(es, "Normal", EVENT_UPDATED, "secret updated");
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "kube.conflict") return { status, outcome: { retry: false, requeueAfterMs: 0 } };
    if (code === "es.secret_immutable") return failed(MSG_ERR_IMMUTABLE, err, false);
    if (code === "es.secret_owned") return failed(MSG_ERR_OWNED, err, false);
    if (code === "es.secret_conflict") return failed(MSG_ERR_OWNER, err, false);
    return failed(MSG_ERR_UPDATE, err, !(code?.startsWith("es.") ?? false));
  }
  const done = markDone(status, es, REASON_SYNCED, MSG_SYNCED, start);
  return { status: done, outcome: requeue(deps, es, done) };
}
