/**
 * The controller runtime: shared informers with local caches, a work queue
 * with per-key serialisation and backoff, Events, the `Controller` contract,
 * a `ReconcileLoop` that does a typical controller's plumbing, and the
 * `Manager` that runs controllers together. How to write a controller on
 * it: `docs/runtime.md`.
 */
export { aborted, sleep, systemClock } from "./clock.js";
export type { Clock, Timer } from "./clock.js";
export type { Controller, ControllerContext, StopOptions } from "./controller.js";
export { EventRecorder, defaultEventRecorderOptions } from "./events.js";
export type { EventRecorderOptions, EventSubject, EventType } from "./events.js";
export { closeServer, listen, parseListenAddr } from "./http.js";
export { SharedInformer, defaultInformerOptions } from "./informer.js";
export type { InformerHandler, InformerOptions, InformerSpec } from "./informer.js";
export { SharedInformers } from "./informers.js";
export { Indexer } from "./indexer.js";
export { DEFAULT_REQUEUE_JITTER, ReconcileLoop, secondary } from "./loop.js";
export type { PrimaryWatch, ReconcileLoopOptions, SecondaryEvent, SecondaryWatch, WatchSource } from "./loop.js";
export { Manager, defaultManagerOptions } from "./manager.js";
export type { ManagerOptions } from "./manager.js";
export { WorkQueue, backoffMs, defaultWorkQueueOptions, jitteredMs } from "./queue.js";
export type { WorkQueueOptions, WorkResult, Worker } from "./queue.js";
export { RateLimiter, defaultRateLimitOptions } from "./rate-limit.js";
export type { RateLimitOptions } from "./rate-limit.js";
export { jittered, startResync } from "./resync.js";
export type { ResyncOptions } from "./resync.js";
export { LAST_APPLIED_ANNOTATION, METADATA_ONLY, SECRET_METADATA, STRIP_BOOKKEEPING, stripBookkeeping, transform, withoutBookkeeping } from "./transforms.js";
export type { Transform } from "./transforms.js";
