/**
 * The `syncs` controller: reconcile each Sync with `reconcile()` whenever
 * its spec, its GitSource's artifact or `requestedAt` changes, at its
 * interval, and whenever a managed object drifts (selfHeal), reporting
 * status and one Event per reconcile.
 */
import { SigilError, describeError, isSigilError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { DataKeyCache, sopsDecryptor } from "../../decrypt/index.js";
import { SECRETS, resourcePath, splitKey } from "../../kube/index.js";
import type { ChangeSetEntry, KubeClient, KubeObject, SecretObject } from "../../kube/index.js";
import { ReconcileLoop } from "../../kube/runtime/index.js";
import type { Controller, ControllerContext, EventRecorder, StopOptions, WorkResult } from "../../kube/runtime/index.js";
import type { KeySecret, ProviderRegistry } from "../../providers/index.js";
import { FLUX_REQUESTED_AT_ANNOTATION, REQUESTED_AT_ANNOTATION, RenderMemory, applyObjects, entryId, loadSealingKeys, parseGoDuration, readInventory, reconcile } from "../../reconcile/index.js";
import type { Artifact, DriftEntry, ReconcileResult, Sync, SyncPlan } from "../../reconcile/index.js";
import type { ArtifactStore } from "./artifacts.js";
import { dependencyGate, dependentsOf } from "./depends.js";
import { hooksDue, recordHookEvents } from "./hook-events.js";
import type { DriftEvent } from "./drift.js";
import { addFinalizer, finalizeEvent, hasFinalizer, isDeleting, pruneDeletedSync, removeFinalizer } from "./finalizer.js";
import { SYNCS, condition } from "./status.js";
import { StatusWriter } from "./status-writer.js";
import { SyncTargets, defaultSyncTargetsOptions } from "./targets.js";
import type { SyncTarget, SyncTargetsOptions } from "./targets.js";
import { sourceKeyOf } from "./tenancy.js";
import { counts, syncEvent, syncStatus } from "./sync-status.js";

export const SYNCS_CONTROLLER = "syncs";

export interface SyncControllerOptions {
  readonly client: KubeClient;
  readonly store: ArtifactStore;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Key providers from a decryption Secret (Flux's key names); undefined = the Sync names none. */
  readonly providersFor: (secret: KeySecret | undefined) => ProviderRegistry;
  /** Where the sealing keys are (Inline SealedSecrets). */
  readonly sealingKeyNamespace: string;
  readonly kustomizeBin: string;
  /**
   * For this long after the controller starts, a Sync that is Ready keeps
   * its status while its GitSource has not been fetched by this process yet
   * (a restart), instead of flipping to "source not ready" until the fetch
   * (default 60 s). After it, a missing artifact is reported.
   */
  readonly sourceGraceMs?: number | undefined;
  /** Flux's `--default-service-account`: Syncs that name no `serviceAccountName` impersonate this one. */
  readonly defaultServiceAccount?: string | undefined;
  /** Flux's `--no-cross-namespace-refs`: refuse a `sourceRef` to another namespace. */
  readonly noCrossNamespaceRefs?: boolean | undefined;
  /** Only Syncs with these labels (a label selector; default all), e.g. to shard Syncs between operators. */
  readonly labelSelector?: string | undefined;
  /** How impersonating and remote clients are made (default: from the operator's `HttpKubeClient`). */
  readonly targets?: Partial<Pick<SyncTargetsOptions, "impersonate" | "connect">> | undefined;
}

const DEFAULT_SOURCE_GRACE_MS = 60_000;

function isReady(s: Sync): boolean {
  return s.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

function requestedAt(s: Sync): string | undefined {
  return s.metadata.annotations?.[REQUESTED_AT_ANNOTATION] ?? s.metadata.annotations?.[FLUX_REQUESTED_AT_ANNOTATION];
}

function planOf(s: Sync): SyncPlan {
  const ns = s.metadata.namespace ?? "default";
  return {
    path: s.spec.path ?? "./", targetNamespace: s.spec.targetNamespace, defaultNamespace: s.spec.targetNamespace ?? ns, prune: s.spec.prune !== false, allowEmpty: s.spec.allowEmpty === true,
    force: s.spec.force === true, wait: s.spec.wait === true, healthChecks: s.spec.healthChecks ?? [], timeoutMs: parseGoDuration(s.spec.timeout ?? "5m", "spec.timeout"),
    sealedSecrets: s.spec.sealedSecrets ?? "Controller", dryRun: false, owner: { name: s.metadata.name, namespace: ns },
  };
}

/** A failed reconcile that never reached the cluster (the inventory is kept). */
function failedBefore(s: Sync, stage: "fetch" | "apply", err: unknown, artifact: Artifact | undefined): ReconcileResult {
  const error = err instanceof SigilError ? err : new SigilError("internal", describeError(err), { cause: err });
  return { ok: false, revision: artifact?.revision, changes: [], inventory: readInventory(s.status?.inventory), healthy: undefined, stage, error };
}

/**
 * The inventory ids a prepared object can have: a namespaced object that names no namespace goes to the
 * default namespace, a cluster-scoped one has none. (A kind is one or the other, so the two never collide.)
 */
function idsOfObject(o: KubeObject, defaultNamespace: string): string[] {
  const ref = { apiVersion: o.apiVersion ?? "", kind: o.kind ?? "", name: o.metadata?.name ?? "" };
  const ns = o.metadata?.namespace;
  return ns !== undefined && ns !== "" ? [entryId({ ...ref, namespace: ns })] : [entryId({ ...ref, namespace: defaultNamespace }), entryId({ ...ref, namespace: "" })];
}

export class SyncController implements Controller {
  readonly name = SYNCS_CONTROLLER;
  readonly #opts: SyncControllerOptions;
  readonly #loop: ReconcileLoop<Sync>;
  readonly #targets: SyncTargets;
  /** Per Sync: the target of its last reconcile (drift repairs and checks go there). */
  readonly #target = new Map<string, SyncTarget>();
  readonly #driftLog = new Map<string, DriftEntry[]>();
  /** Syncs queued because a managed object changed: their next reconcile's writes are recorded as corrected drift. */
  readonly #healing = new Set<string>();
  /** Per Sync: the objects its last successful reconcile applied, by inventory id (memory only), so one drifted object is re-applied alone. */
  readonly #desired = new Map<string, Map<string, KubeObject>>();
  /** Per Sync: the tail of its chain of single-object repairs (they run one at a time). */
  readonly #repairs = new Map<string, Promise<void>>();
  /** Per Sync with a reconcile under way: the drift seen meanwhile, by object id, looked at when it ends (see #exclusive). */
  readonly #held = new Map<string, Map<string, DriftEvent>>();
  /** Per Sync, during #exclusive: what its reconcile wrote, by inventory id, with the resourceVersion the API server returned. */
  readonly #written = new Map<string, Map<string, ChangeSetEntry>>();
  readonly #status: StatusWriter;
  /** Per Sync: the decrypted render of its current revision and spec (memory only), so a re-sync of them skips render and decrypt. */
  readonly #rendered = new RenderMemory();
  /**
   * Per Sync: the SOPS data keys its decryption keys unwrapped, for one version of its decryption Secret (memory only).
   * Not the process-wide cache: a data key that another Sync's keys (or an older key of this one) unwrapped must not
   * decrypt a file for a Sync whose own keys cannot.
   */
  readonly #dataKeys = new Map<string, { readonly version: string; readonly cache: DataKeyCache }>();
  #stopped = false;
  #startedAt = 0;
  #events: EventRecorder | undefined;

  constructor(options: SyncControllerOptions) {
    this.#opts = options;
    const defaults = defaultSyncTargetsOptions(options.client);
    this.#targets = new SyncTargets({ ...defaults, ...options.targets, client: options.client, logger: options.logger, defaultServiceAccount: options.defaultServiceAccount, onDrift: (e) => { this.#onDrift(e.syncKey, [e]); }, desired: (k, id) => this.#desired.get(k)?.get(id) });
    this.#status = new StatusWriter(options.client, SYNCS);
    this.#loop = new ReconcileLoop<Sync>({
      name: SYNCS_CONTROLLER,
      primary: { resource: SYNCS, labelSelector: options.labelSelector, changed: (a, b) => a.metadata.generation !== b.metadata.generation || requestedAt(a) !== requestedAt(b) || isDeleting(a) !== isDeleting(b) },
      reconcile: (key, s) => this.#exclusive(key, s),
    });
    options.store.onChange = (gsKey) => {
      const { namespace, name } = splitKey(gsKey);
      for (const key of this.#loop.keys()) {
        const s = this.#loop.get(key);
        if ((s?.spec.sourceRef.namespace ?? s?.metadata.namespace) === namespace && s?.spec.sourceRef.name === name) this.#loop.enqueue(key);
      }
    };
  }

  async start(ctx: ControllerContext): Promise<void> {
    this.#startedAt = this.#opts.now().getTime();
    this.#events = ctx.events("sigil-sync");
    this.#targets.start(ctx.informers, ctx.clock);
    await this.#loop.start(ctx);
  }

  idle(): Promise<void> {
    return this.#loop.idle();
  }

  /** Stop taking drift, let the repairs under way finish, then stop the loop. */
  async stop(options: StopOptions): Promise<void> {
    this.#stopped = true;
    await Promise.allSettled([...this.#repairs.values()]);
    await this.#loop.stop(options);
    await this.#targets.stop();
  }

  /** How many remote clusters and impersonating clients are held (tests, metrics). */
  get targetStats(): { remoteClusters: number; identities: number } {
    return this.#targets.size;
  }

  /**
   * A reconcile and single-object repairs of one Sync never overlap: the repairs under way finish first, and drift seen
   * while the reconcile runs (its own writes and prunes among it) is held and looked at once the reconcile has set the
   * new desired objects; a repair from the previous set would otherwise put back what the new revision just changed or pruned.
   */
  async #exclusive(key: string, s: Sync | undefined): Promise<WorkResult> {
    const held = new Map<string, DriftEvent>();
    this.#held.set(key, held);
    try {
      await this.#repairs.get(key);
      return await this.#reconcile(key, s);
    } finally {
      this.#held.delete(key);
      const written = this.#written.get(key);
      const drift = this.#target.get(key)?.drift;
      this.#written.delete(key);
      const drifted = [...held.values()].filter((e) => {
        const mine = written?.get(e.id); // this reconcile's own write, still the live version (status updates aside): not drift
        return !(e.change === "Modified" && mine?.resourceVersion !== undefined && drift?.confirms(mine, mine.resourceVersion) === true);
      });
      if (drifted.length > 0) this.#onDrift(key, drifted);
    }
  }

  /** Managed objects of Sync `key` changed or went away: selfHeal repairs them now (one request chain for all); detect-only checks with a dry run and reports. */
  #onDrift(key: string, events: readonly DriftEvent[]): void {
    const held = this.#held.get(key);
    if (held !== undefined) {
      for (const e of events) held.set(e.id, e);
      return;
    }
    const s = this.#loop.get(key);
    if (this.#stopped || s === undefined || s.spec.suspend === true || isDeleting(s)) return;
    const managed = new Set((s.status?.inventory?.entries ?? []).map((x) => x.id));
    const ours = events.filter((e) => managed.has(e.id));
    if (ours.length === 0) return;
    if (s.spec.selfHeal === false) {
      void this.#detect(key, s);
      return;
    }
    const desired = ours.map((e) => this.#desired.get(key)?.get(e.id));
    if (desired.some((o) => o === undefined)) {
      this.#healing.add(key);
      this.#loop.enqueue(key);
      return;
    }
    const previous = this.#repairs.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#repair(key, s, [...new Set(desired as KubeObject[])]));
    this.#repairs.set(key, next);
    void next.finally(() => {
      if (this.#repairs.get(key) === next) this.#repairs.delete(key);
    });
  }

  /** Re-apply the drifted objects from the last applied set (no render, no decrypt, no other object touched); on failure, fall back to a whole reconcile. */
  async #repair(key: string, s: Sync, desired: readonly KubeObject[]): Promise<void> {
    try {
      const plan = planOf(s);
      const target = this.#target.get(key);
      if (target === undefined) throw new SigilError("internal", "no target yet", { subject: key });
      const changes = await applyObjects(desired, target.manager, { dryRun: false, force: plan.force, defaultNamespace: plan.defaultNamespace, timeoutMs: plan.timeoutMs });
      target.resync.confirm(key, changes); // the objects are as the last set wants them again: the next re-sync need not diff them
      let log: DriftEntry[] = [];
      for (const c of changes.filter((x) => x.action === "configured" || x.action === "created")) log = this.#recordChange(key, c, true);
      if (log.length === 0) return;
      await this.#status.patch(key, s.status, { drift: { lastDetectedAt: log.at(-1)?.detectedAt, objects: log } });
    } catch (err) {
      if (this.#stopped) return;
      this.#opts.logger.warn("drift repair failed; reconciling the whole Sync", { sync: key, error: describeError(err) });
      this.#healing.add(key);
      this.#loop.enqueue(key);
    }
  }

  #record(key: string, id: string, change: "Modified" | "Deleted", corrected: boolean): DriftEntry[] {
    const log = [...(this.#driftLog.get(key) ?? []), { id, change, detectedAt: this.#opts.now().toISOString(), corrected }].slice(-100);
    this.#driftLog.set(key, log);
    this.#opts.logger.info(corrected ? "drift: correcting" : "drift: detected (selfHeal off)", { sync: key, object: id, change });
    return log;
  }

  #recordChange(key: string, c: ChangeSetEntry, corrected: boolean): DriftEntry[] {
    return this.#record(key, entryId({ apiVersion: c.apiVersion, kind: c.kind, name: c.name, namespace: c.namespace ?? "" }), c.action === "created" ? "Deleted" : "Modified", corrected);
  }

  async #detect(key: string, s: Sync): Promise<void> {
    const target = this.#target.get(key);
    if (target === undefined) return;
    try {
      const artifact = this.#opts.store.get(sourceKeyOf(s, this.#opts.noCrossNamespaceRefs === true));
      if (artifact === undefined) return;
      const { registry, version } = await this.#providers(s);
      const sops = sopsDecryptor({ registry, cache: this.#dataKeysOf(key, version) });
      const dry = await reconcile({ ...planOf(s), dryRun: true }, readInventory(s.status?.inventory), {
        source: () => Promise.resolve(artifact), manager: target.manager, render: { kustomizeBin: this.#opts.kustomizeBin, sops }, decrypt: { sops, sealingKeys: () => loadSealingKeys(this.#opts.client, this.#opts.sealingKeyNamespace, registry) },
      });
      const drifted = dry.changes.filter((c) => c.action === "configured" || c.action === "created");
      if (drifted.length === 0) return;
      let log: DriftEntry[] = [];
      for (const c of drifted) log = this.#recordChange(key, c, false);
      await this.#status.patch(key, s.status, { drift: { lastDetectedAt: log.at(-1)?.detectedAt, objects: log } });
    } catch (err) {
      this.#opts.logger.warn("drift check failed", { sync: key, error: describeError(err) });
    }
  }

  /** The key providers of the Sync's decryption Secret, and that Secret's version (uid and resourceVersion: a new key is a new version). */
  async #providers(s: Sync): Promise<{ registry: ProviderRegistry; version: string }> {
    const name = s.spec.decryption?.secretRef?.name;
    if (name === undefined) return { registry: this.#opts.providersFor(undefined), version: "" };
    const namespace = s.metadata.namespace ?? "default";
    const secret = await this.#opts.client.get<SecretObject>(resourcePath(SECRETS, { namespace, name }));
    if (secret === undefined) throw new SigilError("provider.not_configured", `the decryption Secret '${name}' does not exist`, { subject: `Sync/${namespace}/${s.metadata.name}` });
    return { registry: this.#opts.providersFor(secret), version: `${secret.metadata.uid ?? ""}/${secret.metadata.resourceVersion ?? ""}` };
  }

  #dataKeysOf(key: string, version: string): DataKeyCache {
    let kept = this.#dataKeys.get(key);
    if (kept?.version !== version) {
      kept = { version, cache: new DataKeyCache(1000) };
      this.#dataKeys.set(key, kept);
    }
    return kept.cache;
  }

  /** Drop what is kept in memory for `key` (deleted, or being deleted). */
  #forget(key: string): void {
    this.#desired.delete(key);
    this.#rendered.forget(key);
    this.#dataKeys.delete(key);
    this.#driftLog.delete(key);
    this.#target.get(key)?.resync.forget(key);
    this.#target.delete(key);
    this.#status.forget(key);
  }

  /** A Sync being deleted: no more repairs; prune its inventory (finalizer.ts), then let it go. A failed delete keeps the finalizer and retries. */
  async #finalize(key: string, s: Sync): Promise<WorkResult> {
    this.#forget(key);
    await this.#repairs.get(key);
    if (!hasFinalizer(s)) return this.#release(key);
    let target: SyncTarget;
    try {
      target = await this.#targets.acquire(key, s); // prune where, and as whom, it applied
    } catch (err) {
      // A kubeConfig Secret that is gone or refused cannot come back by waiting (a namespace being deleted takes it first): give up the prune, not the deletion.
      const gone = isSigilError(err, "config.invalid");
      this.#opts.logger.warn(gone ? "the target of a deleted Sync is gone; its objects are left in place" : "cannot reach the target of a deleted Sync to prune it; retrying", { sync: key, error: describeError(err) });
      if (!gone) return { requeueAfterMs: parseGoDuration(s.spec.retryInterval ?? "30s", "spec.retryInterval") };
      await this.#events?.record(s, "Warning", "PruneSkipped", `objects not pruned: ${describeError(err)}`).catch(() => undefined);
      await removeFinalizer(this.#opts.client, s);
      return this.#release(key);
    }
    const outcome = await pruneDeletedSync(s, target.manager);
    const ev = finalizeEvent(outcome);
    await this.#events?.record(s, ev.type, ev.reason, ev.message).catch(() => undefined);
    if (outcome.failures.length > 0) return { requeueAfterMs: parseGoDuration(s.spec.retryInterval ?? "30s", "spec.retryInterval") };
    await removeFinalizer(this.#opts.client, s);
    return this.#release(key);
  }

  async #release(key: string): Promise<WorkResult> {
    await this.#targets.release(key);
    return {};
  }

  async #reconcile(key: string, s: Sync | undefined): Promise<WorkResult> {
    if (s === undefined) this.#forget(key);
    if (s === undefined) return this.#release(key);
    if (isDeleting(s)) return this.#finalize(key, s);
    if (!hasFinalizer(s)) await addFinalizer(this.#opts.client, s);
    if (s.spec.suspend === true) return {};
    const waiting = await dependencyGate(s, { ...this.#opts, writeStatus: (st) => this.#status.patch(key, s.status, st) }); // spec.dependsOn (depends.ts)
    if (waiting !== undefined) return waiting;
    let sourceKey: string;
    try {
      sourceKey = sourceKeyOf(s, this.#opts.noCrossNamespaceRefs === true);
    } catch (err) {
      return this.#report(key, s, failedBefore(s, "fetch", err, undefined));
    }
    const artifact = this.#opts.store.get(sourceKey);
    if (artifact === undefined) {
      // Just (re)started: the store's onChange queues this Sync once its GitSource is fetched; a Ready Sync does not flap meanwhile.
      if (isReady(s) && this.#opts.now().getTime() - this.#startedAt < (this.#opts.sourceGraceMs ?? DEFAULT_SOURCE_GRACE_MS)) return { requeueAfterMs: 5000 };
      await this.#status.patch(key, s.status, { conditions: [condition(s.status?.conditions, "Ready", "False", "source.not_ready", `GitSource '${sourceKey}' has no artifact yet`, this.#opts.now(), s.metadata.generation)] });
      return { requeueAfterMs: 5000 };
    }
    this.#opts.logger.debug("sync reconcile started", { sync: key, revision: artifact.revision });
    const started = performance.now();
    let target: SyncTarget;
    try {
      target = await this.#targets.acquire(key, s); //     where, and as whom (docs/tenancy.md)
    } catch (err) {
      this.#target.delete(key);
      await this.#targets.release(key);
      return this.#report(key, s, failedBefore(s, "apply", err, artifact));
    }
    this.#target.set(key, target);
    const { registry, version: keys } = await this.#providers(s);
    const sops = sopsDecryptor({ registry, cache: this.#dataKeysOf(key, keys) });
    const fresh = hooksDue(s, artifact.revision, requestedAt(s)); // a new sync: hooks run (hook-events.ts)
    const spec = `${s.metadata.uid ?? ""}\0${String(s.metadata.generation ?? 0)}`;
    let unsealed = false; // the cluster's sealing keys are not in the render's scope: a render that used them is not kept
    const result = await reconcile({ ...planOf(s), hooks: fresh, preflight: target.preflight }, readInventory(s.status?.inventory), {
      source: () => Promise.resolve(artifact),
      manager: target.manager,
      render: { kustomizeBin: this.#opts.kustomizeBin, sops },
      decrypt: { sops, sealingKeys: () => { unsealed = true; return loadSealingKeys(this.#opts.client, this.#opts.sealingKeyNamespace, registry); } },
      rendered: this.#rendered.session(key, `${artifact.url}\0${artifact.revision}\0${artifact.dir}\0${spec}\0${keys}`, () => !unsealed),
      resync: target.resync.session(key, `${artifact.revision}\0${spec}\0${target.user ?? ""}`),
    });
    if (result.ok && result.objects !== undefined) this.#desired.set(key, new Map(result.objects.flatMap((o) => idsOfObject(o, planOf(s).defaultNamespace).map((id) => [id, o] as const))));
    else if (!result.ok) this.#desired.delete(key);
    if (this.#healing.delete(key)) for (const c of result.changes.filter((x) => x.action === "configured" || x.action === "created")) this.#recordChange(key, c, true);
    this.#written.set(key, new Map(result.changes.filter((c) => c.resourceVersion !== undefined).map((c) => [entryId({ apiVersion: c.apiVersion, kind: c.kind, name: c.name, namespace: c.namespace ?? "" }), c] as const)));
    this.#opts.logger.debug("reconciled", { sync: key, revision: result.revision, ok: result.ok, ms: Math.round(performance.now() - started), changes: counts(result.changes) });
    const done = await this.#report(key, s, result);
    if (result.ok && fresh) for (const k of dependentsOf(key, [...this.#loop.keys()].map((k2) => [k2, this.#loop.get(k2)] as const))) this.#loop.enqueue(k); // a new Ready revision wakes dependents
    await target.drift.watchInventory(result.inventory);
    return done;
  }

  /** Status and Event (only when something changed: an unchanged re-sync writes nothing, docs/crds/sync.md), hook Events, and when to come back. */
  async #report(key: string, s: Sync, result: ReconcileResult): Promise<WorkResult> {
    await this.#status.patch(key, s.status, syncStatus(s, result, this.#driftLog.get(key) ?? s.status?.drift?.objects ?? [], requestedAt(s), this.#opts.now()));
    const ev = syncEvent(result, s.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true);
    if (ev !== undefined) await this.#events?.record(s, ev.type, ev.reason, ev.message).catch(() => undefined);
    await recordHookEvents(this.#events, s, result.hooks ?? []);
    const interval = parseGoDuration(s.spec.interval ?? "10m", "spec.interval");
    return { requeueAfterMs: result.ok ? interval : parseGoDuration(s.spec.retryInterval ?? s.spec.interval ?? "10m", "spec.retryInterval") };
  }
}
