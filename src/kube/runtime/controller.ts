/**
 * The `Controller` contract: what the manager starts, waits on and stops.
 * Most controllers are a {@link ReconcileLoop} (see `loop.ts`) plus their
 * own reconcile function; `docs/runtime.md` has a worked example.
 */
import type { Logger } from "../../core/index.js";
import type { KubeClient } from "../types.js";
import type { Clock } from "./clock.js";
import type { EventRecorder } from "./events.js";
import type { SharedInformers } from "./informers.js";

/** What the manager gives each controller at start. */
export interface ControllerContext {
  readonly client: KubeClient;
  /** The process's shared informers: ask here for every collection you watch. */
  readonly informers: SharedInformers;
  /** A logger with the controller's name on every line. */
  readonly logger: Logger;
  readonly clock: Clock;
  /** The Event recorder of `component` (one per component per process). */
  events(component: string): EventRecorder;
}

/** How long a controller may take to stop. */
export interface StopOptions {
  /** Wait at most this long for in-flight work; then stop anyway. */
  readonly deadlineMs: number;
}

/**
 * A controller the manager runs.
 *
 * - `start` registers informers and handlers (through `ctx.informers`) and
 *   does the controller's own start-up (keys, servers). It must not wait
 *   for informers to sync: the manager starts them after every controller's
 *   `start`. Work must wait until the controller's informers have synced
 *   (a `ReconcileLoop` does this). A rejection fails the manager's start.
 * - `idle` resolves when the controller's informers have synced and it has
 *   no work waiting or running (tests and benchmarks use it).
 * - `stop` stops taking work, waits for in-flight work up to the deadline,
 *   and releases what `start` took. Safe to call twice, and after a failed start.
 */
export interface Controller {
  /** The name `--controllers` selects it by (lowercase, e.g. `sealedsecrets`). */
  readonly name: string;
  start(ctx: ControllerContext): Promise<void>;
  idle(): Promise<void>;
  stop(options: StopOptions): Promise<void>;
}
