/**
 * The server-side apply engine as one object: a client, a REST mapper,
 * and one method per verb (apply, diff, delete, wait), each returning a
 * change set. See `docs/kube.md`.
 */
import { RestMapper } from "../discovery/index.js";
import type { KubeObject } from "../objects.js";
import type { KubeClient } from "../types.js";
import { applyAll, applyAllStaged } from "./apply.js";
import type { ChangeSetEntry } from "./changeset.js";
import type { SsaContext } from "./context.js";
import { deleteAll } from "./delete.js";
import { diffAll } from "./diff.js";
import { defaultApplyOptions, defaultDeleteOptions, defaultWaitOptions } from "./options.js";
import type { ApplyOptions, DeleteOptions, WaitOptions } from "./options.js";
import { preflightAll } from "./preflight.js";
import { sortForApply } from "./sort.js";
import { waitForReady } from "./wait.js";

/** What {@link ResourceManager} is built from; `mapper`, `sleep` and `now` default to a new mapper and the real clock. */
export interface ResourceManagerDeps {
  readonly client: KubeClient;
  readonly mapper?: RestMapper;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** Server-side apply of generic objects, with change sets (like fluxcd/pkg `ssa.ResourceManager`). */
export class ResourceManager {
  readonly #ctx: SsaContext;

  constructor(deps: ResourceManagerDeps) {
    this.#ctx = {
      client: deps.client,
      mapper: deps.mapper ?? new RestMapper(deps.client),
      sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: deps.now ?? Date.now,
    };
  }

  /** The client this manager writes with (for the verbs it does not have, such as a create with `generateName`). */
  get client(): KubeClient {
    return this.#ctx.client;
  }

  /** The REST mapper (discovery cache) this manager uses. */
  get mapper(): RestMapper {
    return this.#ctx.mapper;
  }

  /**
   * Apply objects of any kind, staged: CRDs and Namespaces first (waited
   * for until established / active), then cluster-wide RBAC and classes,
   * then the rest. Objects that have not drifted get no write (`unchanged`).
   * @throws SigilError `apply.conflict` (naming the other field managers; pass `force`), `apply.immutable` (pass `recreateOnImmutable`), `apply.invalid`, `apply.timeout`, `kube.unknown_kind`, `kube.*`; the subject is the object. A failure while diffing a stage leaves that stage unwritten.
   */
  apply(objects: readonly KubeObject[], options: Partial<ApplyOptions> = {}): Promise<ChangeSetEntry[]> {
    return applyAllStaged(this.#ctx, objects, { ...defaultApplyOptions(), ...options });
  }

  /**
   * Apply objects in install order without stages or waiting (all kinds must already be served).
   * @throws SigilError as {@link ResourceManager.apply}.
   */
  applyAll(objects: readonly KubeObject[], options: Partial<ApplyOptions> = {}): Promise<ChangeSetEntry[]> {
    return applyAll(this.#ctx, objects, { ...defaultApplyOptions(), ...options });
  }

  /**
   * What `apply` would do, without writing (GET + dry-run apply per object).
   * @throws SigilError as {@link ResourceManager.apply}.
   */
  async diff(objects: readonly KubeObject[], options: Partial<ApplyOptions> = {}): Promise<ChangeSetEntry[]> {
    return (await diffAll(this.#ctx, sortForApply(objects), { ...defaultApplyOptions(), ...options })).map((r) => r.entry);
  }

  /**
   * Would applying `apply` and deleting `remove` be allowed? Dry-runs only, nothing written (see `preflight.ts`).
   * @throws SigilError `kube.forbidden` with the API server's denial, the object as subject.
   */
  preflight(apply: readonly KubeObject[], remove: readonly KubeObject[], options: Partial<ApplyOptions> = {}): Promise<void> {
    return preflightAll(this.#ctx, apply, remove, { ...defaultApplyOptions(), ...options });
  }

  /**
   * Delete objects in reverse install order (prune).
   * @throws SigilError `kube.*` naming the object whose delete failed.
   */
  delete(objects: readonly KubeObject[], options: Partial<DeleteOptions> = {}): Promise<ChangeSetEntry[]> {
    return deleteAll(this.#ctx, objects, { ...defaultDeleteOptions(), ...options });
  }

  /**
   * Wait until every object is ready.
   * @throws SigilError `apply.timeout` listing what is not ready; `apply.failed` for an object that failed.
   */
  wait(objects: readonly KubeObject[], options: Partial<WaitOptions> = {}): Promise<void> {
    return waitForReady(this.#ctx, objects, { ...defaultWaitOptions(), ...options });
  }
}
