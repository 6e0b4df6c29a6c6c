/**
 * The manager: runs several controllers in one process over one client and
 * one set of shared informers, like controller-runtime's manager.
 *
 * 1. `start()` starts each controller in turn (they register informers and
 *    handlers and do their own start-up); if one fails, the ones started
 *    are stopped and the error is thrown.
 * 2. It then starts the informers; each controller's work waits until its
 *    own informers have synced.
 * 3. `stop()` (e.g. on SIGTERM) stops the controllers (no new work; work
 *    in flight gets `shutdownTimeoutMs`), then the watches, then the
 *    probe server.
 */
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { Logger, describeError } from "../../core/index.js";
import type { KubeClient } from "../types.js";
import { systemClock } from "./clock.js";
import type { Clock } from "./clock.js";
import type { Controller, ControllerContext } from "./controller.js";
import { EventRecorder } from "./events.js";
import { createHealthServer } from "./health.js";
import { closeServer, listen } from "./http.js";
import type { InformerOptions } from "./informer.js";
import { SharedInformers } from "./informers.js";

/** Options of {@link Manager}. */
export interface ManagerOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  /** Events' `reportingInstance` (for example the pod name). */
  readonly instance: string;
  /** How long in-flight work may take to finish at stop. */
  readonly shutdownTimeoutMs: number;
  /** `host:port` of `/healthz` and `/readyz`; undefined = no probe server. */
  readonly healthAddr: string | undefined;
  readonly informers: Partial<InformerOptions>;
}

export function defaultManagerOptions(): ManagerOptions {
  return { logger: new Logger(), clock: systemClock, instance: "sigil", shutdownTimeoutMs: 30_000, healthAddr: undefined, informers: {} };
}

type State = "new" | "starting" | "running" | "stopping" | "stopped";

/** See the module comment. */
export class Manager {
  readonly informers: SharedInformers;
  readonly #client: KubeClient;
  readonly #opts: ManagerOptions;
  readonly #controllers: Controller[] = [];
  readonly #started: Controller[] = [];
  readonly #recorders = new Map<string, EventRecorder>();
  #state: State = "new";
  #stopping: Promise<void> | undefined;
  #health: http.Server | undefined;
  #healthAddress: AddressInfo | undefined;

  constructor(client: KubeClient, options: Partial<ManagerOptions> = {}) {
    this.#client = client;
    this.#opts = { ...defaultManagerOptions(), ...options };
    this.informers = new SharedInformers({ client, logger: this.#opts.logger, clock: this.#opts.clock }, this.#opts.informers);
  }

  /** Add a controller (before `start`). */
  add(controller: Controller): this {
    if (this.#state !== "new") throw new Error("controllers are added before the manager starts");
    this.#controllers.push(controller);
    return this;
  }

  /** The controllers, in the order added. */
  get controllers(): readonly Controller[] {
    return this.#controllers;
  }

  /** True from the start of `stop()` on. */
  get stopping(): boolean {
    return this.#state === "stopping" || this.#state === "stopped";
  }

  /** The bound address of the probe server, if any. */
  get healthAddress(): AddressInfo | undefined {
    return this.#healthAddress;
  }

  /**
   * Start the controllers, then the informers, then the probe server.
   * @throws whatever a controller's `start` throws (the controllers started before it are stopped first), or SigilError `config.invalid` when the probe address is taken.
   */
  async start(): Promise<void> {
    this.#state = "starting";
    try {
      for (const controller of this.#controllers) {
        this.#started.push(controller);
        await controller.start(this.#context(controller));
      }
      this.informers.start();
      if (this.#opts.healthAddr !== undefined) await this.#serveHealth(this.#opts.healthAddr);
    } catch (err) {
      this.#opts.logger.error("the manager did not start", { error: describeError(err) });
      await this.stop();
      throw err;
    }
    this.#state = "running";
    this.#opts.logger.info("controllers started", { controllers: this.#controllers.map((c) => c.name) });
  }

  #context(controller: Controller): ControllerContext {
    return {
      client: this.#client,
      informers: this.informers,
      logger: this.#opts.logger.child({ controller: controller.name }),
      clock: this.#opts.clock,
      events: (component) => this.#recorder(component),
    };
  }

  #recorder(component: string): EventRecorder {
    let recorder = this.#recorders.get(component);
    if (recorder === undefined) {
      recorder = new EventRecorder(this.#client, component, { clock: this.#opts.clock, logger: this.#opts.logger, instance: this.#opts.instance });
      this.#recorders.set(component, recorder);
    }
    return recorder;
  }

  async #serveHealth(addr: string): Promise<void> {
    this.#health = createHealthServer({ healthy: () => this.#state === "running", ready: () => this.#state === "running" && this.informers.hasSynced });
    this.#healthAddress = await listen(this.#health, addr);
    this.#opts.logger.info("health probes serving", { address: `${this.#healthAddress.address}:${this.#healthAddress.port}` });
  }

  /** Resolves when every informer has listed once. */
  synced(): Promise<void> {
    return this.informers.synced();
  }

  /** Resolves when every controller is idle. */
  async idle(): Promise<void> {
    await Promise.all(this.#controllers.map((c) => c.idle()));
  }

  /** Stop everything (see the module comment). Safe to call more than once; later calls wait for the first. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#state = "stopping";
    const deadlineMs = this.#opts.shutdownTimeoutMs;
    const started = this.#opts.clock.now();
    const results = await Promise.allSettled(this.#started.splice(0).reverse().map((c) => c.stop({ deadlineMs })));
    for (const r of results) if (r.status === "rejected") this.#opts.logger.warn("a controller did not stop cleanly", { error: describeError(r.reason) });
    await this.informers.stop();
    if (this.#health !== undefined) await closeServer(this.#health);
    this.#state = "stopped";
    this.#opts.logger.info("controllers stopped", { tookMs: this.#opts.clock.now() - started });
  }
}
