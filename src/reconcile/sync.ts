/**
 * `reconcile()`: one Sync, start to end. It reads as the numbered list of
 * steps in the issue; each step is one call, and a failing step ends the
 * reconcile before the next one runs, so nothing is pruned after a failed
 * fetch, render, decrypt or apply.
 */
import { SigilError, describeError } from "../core/index.js";
import type { ChangeSetEntry, KubeObject, ResourceManager } from "../kube/index.js";
import type { HealthCheckRef, InventoryStatus, SealedSecretsMode } from "./api/types.js";
import { decryptManifests } from "./decrypt/index.js";
import type { DecryptStepOptions } from "./decrypt/index.js";
import { inventoryOf, refOf, withRetained } from "./inventory/index.js";
import type { ObjectRef } from "./inventory/index.js";
import { render } from "./render/index.js";
import type { Manifest, RenderOptions } from "./render/index.js";
import type { Artifact } from "./source/index.js";
import { checkHealth } from "./steps/apply.js";
import type { ApplyStepOptions } from "./steps/apply.js";
import type { ResyncCache } from "./steps/fingerprint.js";
import type { RenderCache } from "./steps/render-memory.js";
import { defaultHookOptions } from "./steps/hooks.js";
import type { HookRun } from "./steps/hooks.js";
import { hookPhase, syncFailPhase, syncPhase } from "./steps/phases.js";
import type { Phases } from "./steps/phases.js";
import { preflightObjects } from "./steps/preflight.js";
import { prepareObjects } from "./steps/prepare.js";
import { pruneObjects } from "./steps/prune.js";
import { orderForSync, resourcesOf } from "./steps/waves.js";

/** What to reconcile, from a Sync's spec or the CLI's flags. */
export interface SyncPlan {
  readonly path: string;
  readonly targetNamespace: string | undefined;
  /** Namespace of namespaced objects that name none. */
  readonly defaultNamespace: string;
  readonly prune: boolean;
  readonly allowEmpty: boolean;
  readonly force: boolean;
  readonly wait: boolean;
  readonly healthChecks: readonly HealthCheckRef[];
  readonly timeoutMs: number;
  readonly sealedSecrets: SealedSecretsMode;
  readonly dryRun: boolean;
  /** Run Argo CD hooks this time (default true; the controller turns them off for a re-sync of an unchanged, Ready revision). */
  readonly hooks?: boolean;
  /** Written into the ownership labels of every object. */
  readonly owner: { readonly name: string; readonly namespace: string };
  /** Dry-run every apply and prune before the first write, so a denial leaves the whole set untouched (an impersonated or remote writer; steps/preflight.ts). */
  readonly preflight?: boolean | undefined;
}

export interface ReconcileDeps {
  /** Step 1: the fetched revision (a GitSource's artifact, or the CLI's fetch). */
  readonly source: () => Promise<Artifact>;
  readonly manager: ResourceManager;
  readonly render: Partial<RenderOptions>;
  readonly decrypt: Partial<DecryptStepOptions>;
  /** What the last apply confirmed, so unchanged objects skip their diff (steps/fingerprint.ts); undefined = diff every object. */
  readonly resync?: ResyncCache | undefined;
  /** The decrypted render of this revision, if an earlier reconcile made it (steps/render-memory.ts); undefined = render and decrypt. */
  readonly rendered?: RenderCache | undefined;
}

export type Stage = "fetch" | "render" | "decrypt" | "hook" | "apply" | "prune" | "health";

export interface ReconcileResult {
  readonly ok: boolean;
  readonly revision: string | undefined;
  readonly changes: readonly ChangeSetEntry[];
  /** The inventory to store (unchanged after an early failure). */
  readonly inventory: InventoryStatus;
  readonly healthy: boolean | undefined;
  /** The objects applied, as prepared (namespaces and ownership labels set), after a successful reconcile; kept in memory only, for repairing one drifted object without a whole reconcile. */
  readonly objects?: readonly KubeObject[];
  readonly stage?: Stage;
  readonly error?: SigilError;
  /** The hooks run (each phase, outcome, whether deleted); not in the inventory. */
  readonly hooks?: readonly HookRun[];
}

class StageError extends Error {
  constructor(
    readonly stage: Stage,
    readonly error: SigilError,
  ) {
    super(error.message);
  }
}

async function step<T>(stage: Stage, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new StageError(stage, err instanceof SigilError ? err : new SigilError("internal", describeError(err), { cause: err }));
  }
}

function refsOf(entries: readonly ChangeSetEntry[]): ObjectRef[] {
  return entries.filter((e) => e.action !== "deleted").map((e) => ({ apiVersion: e.apiVersion, kind: e.kind, name: e.name, namespace: e.namespace ?? "" }));
}

function guardEmpty(objects: readonly Manifest[], previous: InventoryStatus, plan: SyncPlan): Promise<void> {
  if (objects.length === 0 && previous.entries.length > 0 && plan.prune && !plan.allowEmpty) {
    return Promise.reject(new SigilError("render.empty", `the render of '${plan.path}' is empty while ${previous.entries.length} objects are in the inventory; refusing to prune them all (set allowEmpty)`, { subject: plan.path }));
  }
  return Promise.resolve();
}

/** The render sorted into waves and hooks. @throws SigilError `sync.invalid_wave`, `hook.invalid`. */
function phasesOf(objects: readonly KubeObject[], plan: SyncPlan, manager: ResourceManager): Phases {
  return { order: orderForSync(objects), runHooks: plan.hooks !== false && !plan.dryRun, hooks: defaultHookOptions(manager, plan.defaultNamespace, plan.timeoutMs), runs: [] };
}

/** The hook objects with a name (not `generateName`). */
function namedHooks(phases: Phases): KubeObject[] {
  return phases.order.hooks.map((h) => h.object).filter((o) => (o.metadata?.name ?? "") !== "");
}

/** Objects in Git that are not applied as resources: named hooks and `Skip`ped objects. */
function inGitOnly(phases: Phases): KubeObject[] {
  return [...phases.order.hooks.map((h) => h.object), ...phases.order.skipped.map((x) => x.object)].filter((o) => (o.metadata?.name ?? "") !== "");
}

/** What prune keeps: the applied objects, every named hook and every skipped object (an object that became a hook or `Skip` is still in Git, so it is not deleted). */
function kept(changes: readonly ChangeSetEntry[], phases: Phases, plan: SyncPlan): InventoryStatus {
  return inventoryOf([...refsOf(changes), ...desiredInventory(inGitOnly(phases), plan)]);
}

function desiredInventory(objects: readonly KubeObject[], plan: SyncPlan): ObjectRef[] {
  return objects.map((o) => ({ apiVersion: o.apiVersion ?? "", kind: o.kind ?? "", name: o.metadata?.name ?? "", namespace: o.metadata?.namespace ?? plan.defaultNamespace }));
}

/**
 * Reconcile `plan` against the cluster (see the module comment). Never throws: a failure is in the result, with its stage.
 */
export async function reconcile(plan: SyncPlan, previous: InventoryStatus, deps: ReconcileDeps): Promise<ReconcileResult> {
  const applyOpts: ApplyStepOptions = { dryRun: plan.dryRun, force: plan.force, defaultNamespace: plan.defaultNamespace, timeoutMs: plan.timeoutMs };
  let revision: string | undefined;
  let inventory = previous;
  let changes: ChangeSetEntry[] = [];
  let phases: Phases | undefined;
  try {
    const artifact = await step("fetch", deps.source); //                                                 1. fetch
    revision = artifact.revision;
    const known = deps.rendered?.get(); //                                                                  2-4 already done for this revision and spec
    const rendered = known ?? (await step("render", () => render(artifact.dir, plan.path, deps.render))); // 2. render
    const decrypted = known ?? (await step("decrypt", () => decryptManifests(rendered, { ...deps.decrypt, sealedSecrets: plan.sealedSecrets, defaultNamespace: plan.targetNamespace ?? plan.defaultNamespace }))); // 3. decrypt, 4. pass through
    if (known === undefined) deps.rendered?.remember(decrypted);
    await step("render", () => guardEmpty(decrypted, previous, plan));
    const prepared = await step("apply", () => prepareObjects(decrypted.map((m) => m.object), deps.manager.mapper, plan));
    const ordered = await step("render", () => Promise.resolve().then(() => phasesOf(prepared, plan, deps.manager))); //                waves and hooks (docs/ordering.md)
    const objects = resourcesOf(ordered.order);
    if (plan.preflight === true && !plan.dryRun) await step("apply", () => preflightObjects([...objects, ...namedHooks(ordered)], previous, desiredInventory([...objects, ...inGitOnly(ordered)], plan), deps.manager, applyOpts)); // 5a. may it? (before any hook)
    phases = ordered;
    await step("hook", () => hookPhase(ordered, "PreSync")); //                                                  PreSync hooks
    inventory = inventoryOf([...previous.entries.map(refOf), ...desiredInventory(objects, plan)]);
    changes = await step("apply", () => syncPhase(ordered, deps.manager, applyOpts, plan.wait, deps.resync)); //  5. apply, wave by wave
    inventory = inventoryOf(refsOf(changes));
    const pruned = plan.prune ? await step("prune", () => pruneObjects(previous, kept(changes, ordered, plan), deps.manager, plan.dryRun)) : undefined; // 6. prune
    changes = [...changes, ...(pruned?.changes ?? [])];
    inventory = withRetained(inventory, pruned?.retained ?? []);
    if (pruned !== undefined && pruned.failures.length > 0) throw new StageError("prune", new SigilError("prune.failed", `${pruned.failures.length} deletes failed and will be retried: ${pruned.failures.join("; ")}`));
    const healthy = await step("health", () => checkHealth(objects, plan.healthChecks, plan.wait, deps.manager, applyOpts)); // 7. health
    await step("hook", () => hookPhase(ordered, "PostSync")); //                                                 PostSync hooks
    return { ok: true, revision, changes, inventory: plan.dryRun ? previous : inventory, healthy, objects, hooks: ordered.runs };
  } catch (err) {
    const failure = err instanceof StageError ? err : new StageError("apply", new SigilError("internal", describeError(err), { cause: err }));
    if (phases !== undefined) await syncFailPhase(phases); //                                                   SyncFail hooks
    return { ok: false, revision, changes, inventory: plan.dryRun ? previous : inventory, healthy: failure.stage === "health" ? false : undefined, stage: failure.stage, error: failure.error, hooks: phases?.runs ?? [] };
  }
}
