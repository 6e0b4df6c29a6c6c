/** Apply (or, in dry-run, diff) the prepared objects, and wait for health. */
import type { ChangeSetEntry, KubeObject, ResourceManager } from "../../kube/index.js";
import type { HealthCheckRef } from "../api/types.js";

export interface ApplyStepOptions {
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly defaultNamespace: string;
  readonly timeoutMs: number;
}

/**
 * Server-side apply, staged, as field manager `sigil`; an object that would not change is not written.
 * @throws SigilError from the apply engine (`apply.conflict`, `apply.immutable`, `apply.invalid`, `kube.*`).
 */
export async function applyObjects(objects: readonly KubeObject[], manager: ResourceManager, opts: ApplyStepOptions): Promise<ChangeSetEntry[]> {
  // Git wins for the fields it sets (as Flux forces ownership): a hand edit made with another field manager is taken back.
  // Fields Git does not set (an HPA's replicas) are never touched.
  const options = { fieldManager: "sigil", force: true, recreateOnImmutable: opts.force, defaultNamespace: opts.defaultNamespace, stageTimeoutMs: opts.timeoutMs };
  return opts.dryRun ? manager.diff(objects, { ...options, dryRun: true }) : manager.apply(objects, options);
}

/**
 * Wait until the applied objects (when `wait`) and the health-check targets are ready.
 * @throws SigilError `apply.timeout` / `apply.failed` listing what is not ready.
 */
export async function checkHealth(objects: readonly KubeObject[], checks: readonly HealthCheckRef[], wait: boolean, manager: ResourceManager, opts: ApplyStepOptions): Promise<boolean | undefined> {
  const targets: KubeObject[] = checks.map((c) => ({ apiVersion: c.apiVersion ?? "v1", kind: c.kind, metadata: { name: c.name, ...(c.namespace === undefined ? {} : { namespace: c.namespace }) } }));
  if (wait) targets.push(...objects);
  if (targets.length === 0 || opts.dryRun) return undefined;
  await manager.wait(targets, { timeoutMs: opts.timeoutMs, defaultNamespace: opts.defaultNamespace });
  return true;
}
