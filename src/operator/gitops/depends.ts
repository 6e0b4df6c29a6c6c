/**
 * `spec.dependsOn`: a Sync waits until each Sync it names is Ready at its
 * latest revision (its `lastAppliedRevision` is its GitSource's current
 * artifact revision, and its status observes its current generation). A
 * cycle of dependencies is reported, not waited on forever.
 */
import { resourcePath, splitKey } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import type { WorkResult } from "../../kube/runtime/index.js";
import type { Condition, Sync } from "../../reconcile/index.js";
import type { ArtifactStore } from "./artifacts.js";
import { SYNCS, condition } from "./status.js";

/** Condition reasons (Flux's `DependencyNotReady`, and one for cycles). */
export const DEPENDENCY_NOT_READY = "DependencyNotReady";
export const DEPENDENCY_CYCLE = "DependencyCycle";
/** How long a waiting Sync waits before it looks again (a dependency that becomes Ready also wakes it at once). */
export const DEPENDENCY_REQUEUE_MS = 10_000;
/** Why a dependency waits while its GitSource is not fetched (also just after an operator restart). */
const NO_ARTIFACT = "its GitSource has no artifact yet";
/** The largest dependency graph walked looking for a cycle. */
const MAX_NODES = 200;

export type DependencyState =
  | { readonly state: "ready" }
  | { readonly state: "waiting"; readonly on: string; readonly why: string }
  | { readonly state: "cycle"; readonly cycle: readonly string[] };

export interface DependencyLookup {
  /** The Sync `namespace/name`, fresh from the API server (undefined when absent). */
  readonly get: (key: string) => Promise<Sync | undefined>;
  /** The current artifact revision of a Sync's GitSource (undefined before its first fetch). */
  readonly revisionOf: (sync: Sync) => string | undefined;
}

/** `namespace/name` of each dependency (the Sync's own namespace when none is given). */
export function dependencyKeys(s: Sync): string[] {
  const ns = s.metadata.namespace ?? "default";
  return (s.spec.dependsOn ?? []).map((d) => `${d.namespace ?? ns}/${d.name}`);
}

function keyOf(s: Sync): string {
  return `${s.metadata.namespace ?? "default"}/${s.metadata.name}`;
}

/** A path from `start` back to `start` through dependsOn edges, if there is one (depth-first, bounded). */
async function findCycle(start: Sync, lookup: DependencyLookup): Promise<string[] | undefined> {
  const origin = keyOf(start);
  const seen = new Set<string>();
  const walk = async (s: Sync, path: string[]): Promise<string[] | undefined> => {
    for (const dep of dependencyKeys(s)) {
      if (dep === origin) return [...path, dep];
      if (seen.has(dep) || seen.size >= MAX_NODES) continue;
      seen.add(dep);
      const next = await lookup.get(dep);
      const found = next === undefined ? undefined : await walk(next, [...path, dep]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(start, [origin]);
}

function readyCondition(s: Sync): Condition | undefined {
  return s.status?.conditions?.find((c) => c.type === "Ready");
}

/** Why a dependency is not Ready at its latest revision, or undefined when it is. */
export function notReadyReason(dep: Sync, latest: string | undefined): string | undefined {
  if (dep.spec.suspend === true) return "it is suspended";
  if (latest === undefined) return NO_ARTIFACT;
  if (dep.status?.observedGeneration !== dep.metadata.generation) return "its current generation is not reconciled yet";
  if (readyCondition(dep)?.status !== "True") return "it is not Ready";
  if (dep.status?.lastAppliedRevision !== latest) return `it has not applied ${latest} yet`;
  return undefined;
}

/** Is every dependency of `s` Ready at its latest revision? The first one not ready is named; a cycle through `s` is found first. */
export async function checkDependencies(s: Sync, lookup: DependencyLookup): Promise<DependencyState> {
  const keys = dependencyKeys(s);
  if (keys.length === 0) return { state: "ready" };
  const cycle = await findCycle(s, lookup);
  if (cycle !== undefined) return { state: "cycle", cycle };
  for (const key of keys) {
    const dep = await lookup.get(key);
    if (dep === undefined) return { state: "waiting", on: key, why: "it does not exist" };
    const why = notReadyReason(dep, lookup.revisionOf(dep));
    if (why !== undefined) return { state: "waiting", on: key, why };
  }
  return { state: "ready" };
}

/** The Ready=False condition's reason and message for a Sync that cannot go on (names only). */
export function dependencyCondition(state: Exclude<DependencyState, { state: "ready" }>): { reason: string; message: string } {
  if (state.state === "cycle") return { reason: DEPENDENCY_CYCLE, message: `dependency cycle: ${state.cycle.map((k) => `Sync/${k}`).join(" -> ")}` };
  return { reason: DEPENDENCY_NOT_READY, message: `waiting for Sync/${state.on}: ${state.why}` };
}

/** Keys of the Syncs that depend on `key` (to wake them when it becomes Ready). */
export function dependentsOf(key: string, syncs: Iterable<readonly [string, Sync | undefined]>): string[] {
  const { namespace, name } = splitKey(key);
  const out: string[] = [];
  for (const [k, s] of syncs) if (s !== undefined && dependencyKeys(s).includes(`${namespace}/${name}`)) out.push(k);
  return out;
}

export interface DependencyGateOptions {
  readonly client: KubeClient;
  readonly store: ArtifactStore;
  readonly now: () => Date;
  /** Merge the status of the Sync (the controller's writer, which skips a write that changes nothing). */
  readonly writeStatus: (status: Record<string, unknown>) => Promise<unknown>;
}

/**
 * Before a reconcile: when a dependency is not Ready at its latest revision, or there is a cycle, set Ready=False
 * (reason `DependencyNotReady` naming the Sync waited for, or `DependencyCycle` naming the cycle) and return when to look again;
 * undefined when the Sync may go on.
 * @throws SigilError `kube.*` when a read or the status patch fails.
 */
export async function dependencyGate(s: Sync, opts: DependencyGateOptions): Promise<WorkResult | undefined> {
  const state = await checkDependencies(s, {
    get: (key) => opts.client.get<Sync>(resourcePath(SYNCS, splitKey(key))),
    revisionOf: (d) => opts.store.get(`${d.metadata.namespace ?? "default"}/${d.spec.sourceRef.name}`)?.revision,
  });
  if (state.state === "ready") return undefined;
  // Just after a restart the sources are fetched again: a Ready Sync does not flap to not Ready meanwhile (its dependency wakes it once Ready).
  if (state.state === "waiting" && state.why === NO_ARTIFACT && readyCondition(s)?.status === "True") return { requeueAfterMs: DEPENDENCY_REQUEUE_MS };
  const c = dependencyCondition(state);
  await opts.writeStatus({ conditions: [condition(s.status?.conditions, "Ready", "False", c.reason, c.message, opts.now(), s.metadata.generation)] });
  return { requeueAfterMs: DEPENDENCY_REQUEUE_MS };
}
