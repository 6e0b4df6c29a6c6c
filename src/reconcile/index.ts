/**
 * The GitOps reconciler as a library (see README.md in this folder): the
 * API types, and one module per step: source (git), render (plain,
 * kustomize), decrypt, inventory (pure), and `reconcile()` in sync.ts.
 */
export * from "./api/types.js";
export { parseGoDuration } from "./api/duration.js";
export { applyIgnore, compileIgnore, defaultSourceOptions, fetchSource, parseLsRemote, prepareAuth, resolveRef, transportOf } from "./source/index.js";
export type { Artifact, FetchRequest, GitCredentials, SourceOptions } from "./source/index.js";
export { defaultRenderLimits, defaultRenderOptions, parseManifests, render } from "./render/index.js";
export type { KubeObject as RenderedObject, Manifest, RenderLimits, RenderOptions } from "./render/index.js";
export { decryptManifests, defaultDecryptStepOptions } from "./decrypt/index.js";
export type { DecryptStepOptions } from "./decrypt/index.js";
export { loadSealingKeys } from "./decrypt/sealing-keys.js";
export { INVENTORY_VERSION, diff, entryId, entryOf, groupOf, inventoryOf, readInventory, refOf, withRetained } from "./inventory/index.js";
export type { ObjectRef as InventoryObjectRef } from "./inventory/index.js";
export { SYNC_NAME_LABEL, SYNC_NAMESPACE_LABEL, prepareObjects } from "./steps/prepare.js";
export { applyObjects } from "./steps/apply.js";
export { ResyncMemory, applyChanged } from "./steps/fingerprint.js";
export type { LiveRef, LiveVersions, ResyncCache } from "./steps/fingerprint.js";
export { RenderMemory } from "./steps/render-memory.js";
export type { RenderCache, RenderMemoryOptions } from "./steps/render-memory.js";
export type { ApplyStepOptions } from "./steps/apply.js";
export { DELETE_POLICIES, HOOK_ANNOTATION, HOOK_DELETE_POLICY_ANNOTATION, HOOK_PHASES, SYNC_WAVE_ANNOTATION, byWave, deletePolicies, hookValues, hooksOf, orderForSync, syncWaves, waveOf } from "./steps/waves.js";
export type { DeletePolicy, Hook, HookPhase, SyncOrder, Wave } from "./steps/waves.js";
export { defaultHookOptions, hookState, runHookPhase } from "./steps/hooks.js";
export type { HookOptions, HookRun } from "./steps/hooks.js";
export { reconcile } from "./sync.js";
export type { ReconcileDeps, ReconcileResult, Stage, SyncPlan } from "./sync.js";
