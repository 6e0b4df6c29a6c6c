/**
 * The `rollout` controller: Deployments, StatefulSets and DaemonSets that
 * name Secrets in `sigil.dev/rollout-on-secret-change` get a hash of those
 * Secrets' content in their pod template, so their pods roll when a Secret
 * changes, whoever wrote it (an ExternalSecret, a SealedSecret, the
 * reconciler, a person). One shared Secret informer (metadata only: values
 * are read with a GET of the few Secrets a workload names) and one
 * informer per workload kind, each indexed by the Secrets its objects name.
 */
import { SECRETS, objectKey } from "../../kube/index.js";
import { Indexer, ReconcileLoop, SECRET_METADATA, secondary } from "../../kube/runtime/index.js";
import type { Controller, ControllerContext, StopOptions } from "../../kube/runtime/index.js";
import { ROLLOUT_CONTROLLER, WORKLOAD_KINDS } from "./constants.js";
import type { WorkloadKind } from "./constants.js";
import { defaultRolloutControllerOptions } from "./options.js";
import type { RolloutControllerOptions } from "./options.js";
import { reconcileWorkload } from "./reconcile.js";
import type { RolloutDeps } from "./reconcile.js";
import { WORKLOAD, followedSecrets, workloadChanged } from "./workload.js";
import type { Workload } from "./workload.js";

/** See the module comment. */
export class RolloutController implements Controller {
  readonly name = ROLLOUT_CONTROLLER;
  readonly #opts: RolloutControllerOptions;
  #loops: ReconcileLoop<Workload>[] = [];
  #detach: (() => void)[] = [];
  /** Workloads patched with a new hash since start (tests and metrics). */
  rolled = 0;

  constructor(options: Partial<RolloutControllerOptions> = {}) {
    this.#opts = { ...defaultRolloutControllerOptions(), ...options };
  }

  async start(ctx: ControllerContext): Promise<void> {
    const events = ctx.events(ROLLOUT_CONTROLLER);
    const deps: RolloutDeps = {
      client: ctx.client,
      reloaderAnnotation: this.#opts.reloaderAnnotation,
      event: (kind, w, type, reason, message) => { void events.record(subject(kind, w), type, reason, message); },
    };
    this.#loops = WORKLOAD_KINDS.map((kind) => this.#loop(ctx, kind, deps));
    for (const loop of this.#loops) await loop.start(ctx);
  }

  #loop(ctx: ControllerContext, kind: WorkloadKind, deps: RolloutDeps): ReconcileLoop<Workload> {
    const o = this.#opts;
    const reloader = o.reloaderAnnotation;
    // Workloads by `namespace/secret` for each Secret they follow.
    const index = new Indexer<Workload>((_key, w) => {
      const f = followedSecrets(w, reloader);
      return "names" in f ? f.names.map((name) => objectKey({ namespace: w.metadata.namespace, name })) : [];
    });
    this.#detach.push(index.attach((o.namespaces ?? [undefined]).map((namespace) => ctx.informers.informer({ resource: kind.resource, namespace, transform: WORKLOAD }))));
    return new ReconcileLoop<Workload>({
      name: `rollout-${kind.kind.toLowerCase()}`,
      primary: { resource: kind.resource, namespaces: o.namespaces, transform: WORKLOAD, changed: workloadChanged },
      secondary: [secondary({ resource: SECRETS, namespaces: o.namespaces, transform: SECRET_METADATA, map: (key) => index.lookup(key) })],
      reconcile: async (_key, w) => {
        if (w === undefined) return {};
        if ((await reconcileWorkload(deps, kind, w)) === "rolled") this.rolled++;
        return {};
      },
      queue: { concurrency: o.concurrency, baseBackoffMs: o.baseBackoffMs, maxBackoffMs: o.maxBackoffMs, maxRetries: Number.POSITIVE_INFINITY },
    });
  }

  async idle(): Promise<void> {
    await Promise.all(this.#loops.map((l) => l.idle()));
  }

  async stop(options: StopOptions): Promise<void> {
    for (const d of this.#detach.splice(0)) d();
    await Promise.all(this.#loops.map((l) => l.stop(options)));
  }
}

function subject(kind: WorkloadKind, w: Workload): { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string; uid?: string } } {
  const m = w.metadata;
  return { apiVersion: "apps/v1", kind: kind.kind, metadata: { ...(m.name === undefined ? {} : { name: m.name }), ...(m.namespace === undefined ? {} : { namespace: m.namespace }), ...(m.uid === undefined ? {} : { uid: m.uid }) } };
}
