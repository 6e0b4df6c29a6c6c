/**
 * The phases of a sync (docs/ordering.md): `PreSync` hooks, then the `Sync`
 * phase wave by wave (each wave's resources applied, staged, then its `Sync`
 * hooks run, then, with `wait`, the wave waited for before the next one),
 * then `PostSync` hooks once everything is applied, pruned and healthy;
 * `SyncFail` hooks when any of it failed.
 */
import type { ChangeSetEntry, KubeObject, ResourceManager } from "../../kube/index.js";
import { applyObjects } from "./apply.js";
import type { ApplyStepOptions } from "./apply.js";
import type { ResyncCache } from "./fingerprint.js";
import { runHookPhase, runSyncFailHooks } from "./hooks.js";
import type { HookOptions, HookRun } from "./hooks.js";
import { resourcesOf, syncWaves } from "./waves.js";
import type { HookPhase, SyncOrder } from "./waves.js";

/** One sync's ordering: the sorted render, whether hooks run this time, and where their runs are recorded. */
export interface Phases {
  readonly order: SyncOrder;
  /** False in dry runs, and when the controller decided this reconcile is not a new sync (same revision and spec, last one Ready). */
  readonly runHooks: boolean;
  readonly hooks: HookOptions;
  readonly runs: HookRun[];
}

/** Run the hooks of `phase` (nothing when hooks are off this time). @throws SigilError `hook.failed`. */
export async function hookPhase(p: Phases, phase: Exclude<HookPhase, "Sync" | "SyncFail">): Promise<void> {
  if (p.runHooks) await runHookPhase(p.order, phase, p.hooks, p.runs);
}

/** After a failed sync: the `SyncFail` hooks (when hooks run this time); never throws. */
export async function syncFailPhase(p: Phases): Promise<void> {
  if (p.runHooks) await runSyncFailHooks(p.order, p.hooks, p.runs);
}

/**
 * The `Sync` phase: each wave applied (staged: CRDs and Namespaces first within the wave), its `Sync` hooks run,
 * and with `wait` every wave but the last waited for (the health step waits for everything at the end).
 * A dry run diffs all resources at once and runs no hook. With a re-sync cache (steps/fingerprint.ts), objects it
 * knows unchanged get no request in their wave, and the whole set is remembered once every wave succeeded.
 * @throws SigilError from the apply engine, `apply.failed` / `apply.timeout` from a wave's wait, `hook.failed`.
 */
export async function syncPhase(p: Phases, manager: ResourceManager, opts: ApplyStepOptions, wait: boolean, cache?: ResyncCache): Promise<ChangeSetEntry[]> {
  if (opts.dryRun) return applyObjects(resourcesOf(p.order), manager, opts);
  const split = await cache?.split(resourcesOf(p.order), opts.defaultNamespace);
  const rest = split === undefined ? undefined : new Set(split.rest);
  const waves = syncWaves(p.order);
  const applied: ChangeSetEntry[] = [];
  for (const [i, wave] of waves.entries()) {
    const objects: readonly KubeObject[] = p.order.resources.find((w) => w.wave === wave)?.items ?? [];
    const toApply = rest === undefined ? objects : objects.filter((o) => rest.has(o));
    if (toApply.length > 0) applied.push(...(await applyObjects(toApply, manager, opts)));
    if (p.runHooks) await runHookPhase(p.order, "Sync", p.hooks, p.runs, wave);
    if (wait && objects.length > 0 && i < waves.length - 1) await manager.wait(objects, { timeoutMs: opts.timeoutMs, defaultNamespace: opts.defaultNamespace });
  }
  const changes = [...(split?.known ?? []), ...applied];
  cache?.remember(changes);
  return changes;
}
