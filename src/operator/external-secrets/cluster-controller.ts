/**
 * The `clusterexternalsecrets` controller: ClusterExternalSecrets reconciled
 * as ESO does (`cluster-reconcile.ts`), looked at again when a namespace
 * appears, changes labels or goes away, when an ExternalSecret one of them
 * owns changes, and every `refreshTime`. ClusterExternalSecrets have no
 * controller class (as in ESO): run it in one controller per cluster.
 */
import { objectKey } from "../../kube/index.js";
import { ReconcileLoop, STRIP_BOOKKEEPING, secondary } from "../../kube/runtime/index.js";
import type { Controller, ControllerContext, SharedInformer, StopOptions, Transform } from "../../kube/runtime/index.js";
import { CES_KIND, cesTargets } from "../../external-secrets/index.js";
import type { ClusterExternalSecret, ExternalSecret, NamespaceInfo } from "../../external-secrets/index.js";
import { reconcileClusterExternalSecret } from "./cluster-reconcile.js";
import { CLUSTER_EXTERNAL_SECRETS, EXTERNAL_SECRETS, NAMESPACES } from "./resources.js";

/** Options of {@link ClusterExternalSecretsController}. */
export interface ClusterExternalSecretsControllerOptions {
  readonly concurrency: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
}

export function defaultClusterExternalSecretsControllerOptions(): ClusterExternalSecretsControllerOptions {
  return { concurrency: 2, baseBackoffMs: 500, maxBackoffMs: 5 * 60_000 };
}

type Namespace = { metadata?: { name?: string; labels?: Record<string, string> } };
const asCes = STRIP_BOOKKEEPING as unknown as Transform<ClusterExternalSecret>;
const asNs = STRIP_BOOKKEEPING as unknown as Transform<Namespace>;
const asEs = STRIP_BOOKKEEPING as unknown as Transform<ExternalSecret>;

/** See the module comment. */
export class ClusterExternalSecretsController implements Controller {
  readonly name = "clusterexternalsecrets";
  readonly #opts: ClusterExternalSecretsControllerOptions;
  #loop: ReconcileLoop<ClusterExternalSecret> | undefined;

  constructor(options: Partial<ClusterExternalSecretsControllerOptions> = {}) {
    this.#opts = { ...defaultClusterExternalSecretsControllerOptions(), ...options };
  }

  async start(ctx: ControllerContext): Promise<void> {
    const o = this.#opts;
    const namespaces = ctx.informers.informer({ resource: NAMESPACES, transform: asNs });
    const loop: ReconcileLoop<ClusterExternalSecret> = new ReconcileLoop<ClusterExternalSecret>({
      name: this.name,
      primary: { resource: CLUSTER_EXTERNAL_SECRETS, transform: asCes, changed: (a, b) => a.metadata?.generation !== b.metadata?.generation },
      secondary: [
        secondary({ resource: NAMESPACES, transform: asNs, map: (_key, ns: Namespace) => this.#concerning(info(ns)) }),
        secondary({ resource: EXTERNAL_SECRETS, transform: asEs, map: (_key, es: ExternalSecret) => ownerKeys(es) }),
      ],
      reconcile: async (_key, ces) => (ces === undefined ? {} : reconcileClusterExternalSecret({ client: ctx.client, targets: (c) => targetsOf(namespaces, c) }, ces)),
      queue: { concurrency: o.concurrency, baseBackoffMs: o.baseBackoffMs, maxBackoffMs: o.maxBackoffMs, maxRetries: Number.POSITIVE_INFINITY },
    });
    this.#loop = loop;
    await loop.start(ctx);
  }

  /** ClusterExternalSecrets that target `ns` now or provisioned it before (there are few: a scan is fine). */
  #concerning(ns: NamespaceInfo): string[] {
    const loop = this.#loop;
    if (loop === undefined) return [];
    return loop.keys().filter((k) => {
      const ces = loop.get(k);
      return ces !== undefined && (cesTargets(ces, ns) || (ces.status?.provisionedNamespaces ?? []).includes(ns.name));
    });
  }

  async idle(): Promise<void> {
    await this.#loop?.idle();
  }

  async stop(options: StopOptions): Promise<void> {
    await this.#loop?.stop(options);
  }
}

function info(ns: Namespace): NamespaceInfo {
  return { name: ns.metadata?.name ?? "", labels: ns.metadata?.labels ?? {} };
}

/** The namespaces `ces` targets, by name. */
function targetsOf(namespaces: SharedInformer<Namespace>, ces: ClusterExternalSecret): NamespaceInfo[] {
  const out: NamespaceInfo[] = [];
  for (const key of namespaces.keys()) {
    const ns = namespaces.get(key);
    if (ns !== undefined && cesTargets(ces, info(ns))) out.push(info(ns));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The key of the ClusterExternalSecret controlling `es`, if any. */
function ownerKeys(es: ExternalSecret): string[] {
  const owner = es.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === CES_KIND);
  return owner === undefined ? [] : [objectKey({ name: owner.name })];
}
