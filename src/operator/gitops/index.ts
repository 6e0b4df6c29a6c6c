/** The GitOps controllers (`gitsources`, `syncs`) that `sigil operator --controllers` runs. */
export { ArtifactStore } from "./artifacts.js";
export { GITSOURCES_CONTROLLER, gitSourceController, reconcileGitSource } from "./gitsource-controller.js";
export type { GitSourceControllerOptions } from "./gitsource-controller.js";
export { SYNCS_CONTROLLER, SyncController } from "./sync-controller.js";
export type { SyncControllerOptions } from "./sync-controller.js";
export { DriftWatcher } from "./drift.js";
export type { DriftEvent } from "./drift.js";
export { LOCAL_CLUSTER, SyncTargets, defaultSyncTargetsOptions, impersonatedUser } from "./targets.js";
export type { ClosableClient, SyncTarget, SyncTargetsOptions } from "./targets.js";
export { sourceKeyOf } from "./tenancy.js";
