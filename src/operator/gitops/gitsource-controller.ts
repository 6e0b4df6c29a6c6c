/**
 * The `gitsources` controller: fetch each GitSource at its interval (or
 * when `requestedAt` changes), publish the artifact to the Sync controller
 * through the {@link ArtifactStore}, and report it in status.
 */
import { SigilError, describeError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { SECRETS, resourcePath, splitKey } from "../../kube/index.js";
import type { KubeClient, SecretObject } from "../../kube/index.js";
import { ReconcileLoop } from "../../kube/runtime/index.js";
import type { WorkResult } from "../../kube/runtime/index.js";
import { FLUX_REQUESTED_AT_ANNOTATION, REQUESTED_AT_ANNOTATION, fetchSource, parseGoDuration } from "../../reconcile/index.js";
import type { GitCredentials, GitSource, SourceOptions } from "../../reconcile/index.js";
import type { ArtifactStore } from "./artifacts.js";
import { GITSOURCES, condition, patchStatus } from "./status.js";

export const GITSOURCES_CONTROLLER = "gitsources";

export interface GitSourceControllerOptions {
  readonly client: KubeClient;
  readonly store: ArtifactStore;
  readonly source: Partial<SourceOptions>;
  readonly logger: Logger;
  readonly now: () => Date;
}

const KEY_NAMES: readonly (readonly [string, keyof GitCredentials])[] = [["username", "username"], ["password", "password"], ["bearerToken", "bearerToken"], ["ca.crt", "caCrt"], ["identity", "identity"], ["known_hosts", "knownHosts"]];

async function credentials(client: KubeClient, gs: GitSource): Promise<GitCredentials | undefined> {
  const name = gs.spec.secretRef?.name;
  if (name === undefined) return undefined;
  const namespace = gs.metadata.namespace ?? "default";
  const secret = await client.get<SecretObject>(resourcePath(SECRETS, { namespace, name }));
  if (secret === undefined) throw new SigilError("source.invalid", `the secretRef Secret '${name}' does not exist`, { subject: `GitSource/${namespace}/${gs.metadata.name}` });
  const out: Record<string, string> = {};
  for (const [key, field] of KEY_NAMES) {
    const v = secret.data?.[key];
    if (v !== undefined) out[field] = Buffer.from(v, "base64").toString("utf8");
  }
  return out;
}

function requestedAt(gs: GitSource): string | undefined {
  return gs.metadata.annotations?.[REQUESTED_AT_ANNOTATION] ?? gs.metadata.annotations?.[FLUX_REQUESTED_AT_ANNOTATION];
}

/** Reconcile one GitSource: fetch, publish, report. */
export async function reconcileGitSource(key: string, gs: GitSource | undefined, opts: GitSourceControllerOptions): Promise<WorkResult> {
  if (gs === undefined) {
    opts.store.delete(key);
    return {};
  }
  const { namespace, name } = splitKey(key);
  const interval = parseGoDuration(gs.spec.interval ?? "1m", "spec.interval");
  if (gs.spec.suspend === true) return {};
  const gen = gs.metadata.generation;
  const prev = gs.status?.conditions;
  try {
    opts.logger.debug("fetching", { gitsource: key });
    const artifact = await fetchSource({ url: gs.spec.url, ref: gs.spec.ref, credentials: await credentials(opts.client, gs), ignore: gs.spec.ignore, timeoutMs: parseGoDuration(gs.spec.timeout ?? "60s", "spec.timeout") }, { ...opts.source, logger: opts.logger });
    opts.store.set(key, artifact);
    const now = opts.now();
    const changed = gs.status?.artifact?.revision !== artifact.revision;
    await patchStatus(opts.client, GITSOURCES, namespace, name, {
      observedGeneration: gen, lastFetchTime: now.toISOString(), lastHandledReconcileAt: requestedAt(gs),
      artifact: { revision: artifact.revision, lastUpdateTime: changed ? now.toISOString() : (gs.status.artifact.lastUpdateTime ?? now.toISOString()) },
      conditions: [condition(prev, "Ready", "True", "Succeeded", `fetched ${artifact.revision}`, now, gen)],
    });
  } catch (err) {
    const code = err instanceof SigilError ? err.code : "source.fetch_failed";
    opts.logger.warn("fetch failed", { gitsource: key, error: describeError(err) });
    await patchStatus(opts.client, GITSOURCES, namespace, name, { observedGeneration: gen, lastHandledReconcileAt: requestedAt(gs), conditions: [condition(prev, "Ready", "False", code, describeError(err), opts.now(), gen)] });
  }
  return { requeueAfterMs: interval };
}

/** The controller: a reconcile loop over GitSources; spec and annotation changes queue a fetch, status changes do not. */
export function gitSourceController(opts: GitSourceControllerOptions): ReconcileLoop<GitSource> {
  return new ReconcileLoop<GitSource>({
    name: GITSOURCES_CONTROLLER,
    primary: { resource: GITSOURCES, changed: (a, b) => a.metadata.generation !== b.metadata.generation || requestedAt(a) !== requestedAt(b) },
    reconcile: (key, gs) => reconcileGitSource(key, gs, opts),
  });
}
