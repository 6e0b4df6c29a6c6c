/** Server-side apply as a library: apply, diff, delete and wait, with change sets. See `docs/kube.md`. */
export { FORCE_ANNOTATION, PRUNE_ANNOTATION, SIGIL_PRUNE_ANNOTATION, SIGIL_SSA_ANNOTATION, SSA_ANNOTATION, applySkipReason, deleteSkipReason } from "./annotations.js";
export { formatChangeSet, summarize } from "./changeset.js";
export type { ChangeAction, ChangeSetEntry, KeyChange, ObjectDiff } from "./changeset.js";
export { conflictDetails } from "./errors.js";
export { ResourceManager } from "./manager.js";
export type { ResourceManagerDeps } from "./manager.js";
export { changedPaths, hasDrifted, jsonEqual, objectDiff, secretKeyChanges } from "./normalize.js";
export { defaultApplyOptions, defaultDeleteOptions, defaultWaitOptions } from "./options.js";
export type { ApplyOptions, DeleteOptions, PropagationPolicy, WaitOptions } from "./options.js";
export { readiness } from "./readiness.js";
export type { Readiness } from "./readiness.js";
export { isClusterDefinition, isClusterPolicy, sortForApply, stages } from "./sort.js";
