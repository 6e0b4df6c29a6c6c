/**
 * Ordering inside a Sync, read from Argo CD's annotations as they are
 * (docs/ordering.md): `argocd.argoproj.io/sync-wave` puts an object in a
 * wave (an integer, default 0, may be negative), and
 * `argocd.argoproj.io/hook` makes it a hook of one or more phases
 * (`PreSync`, `Sync`, `PostSync`, `SyncFail`), or keeps it out of a sync
 * (`Skip`, and the deletion hooks `PreDelete` / `PostDelete`, which only run
 * when an Argo CD Application is deleted). Pure: no I/O.
 */
import { SigilError } from "../../core/index.js";
import { sortForApply, subjectOf } from "../../kube/index.js";
import type { KubeObject } from "../../kube/index.js";

export const SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave";
export const HOOK_ANNOTATION = "argocd.argoproj.io/hook";
export const HOOK_DELETE_POLICY_ANNOTATION = "argocd.argoproj.io/hook-delete-policy";

/** The phases a hook can run in during a sync, in the order they run (`SyncFail` only when the sync failed). */
export const HOOK_PHASES = ["PreSync", "Sync", "PostSync", "SyncFail"] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

/** Argo CD's hook delete policies; none given means `BeforeHookCreation`, as in Argo CD. */
export const DELETE_POLICIES = ["HookSucceeded", "HookFailed", "BeforeHookCreation"] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];

/** Hook values that keep an object out of a sync: not applied, not in the inventory. */
const NOT_IN_SYNC = ["Skip", "PreDelete", "PostDelete"] as const;

/** One hook: the object as it will be created, its phases, wave and delete policies. */
export interface Hook {
  readonly object: KubeObject;
  readonly phases: ReadonlySet<HookPhase>;
  readonly policies: ReadonlySet<DeletePolicy>;
  readonly wave: number;
  /** `Kind/namespace/name`, or `Kind/namespace/<generateName>*` for a hook with `generateName`. */
  readonly subject: string;
}

/** The objects of one wave. */
export interface Wave<T> {
  readonly wave: number;
  readonly items: readonly T[];
}

/** A render sorted for a sync. */
export interface SyncOrder {
  /** Objects applied and kept in the inventory, by wave (ascending). */
  readonly resources: readonly Wave<KubeObject>[];
  readonly hooks: readonly Hook[];
  /** Objects kept out of the sync (`Skip`, `PreDelete`, `PostDelete`), with the hook value: not applied, and not pruned either (they are still in Git). */
  readonly skipped: readonly { readonly subject: string; readonly hook: string; readonly object: KubeObject }[];
}

const MAX_LIST = 16;

function subject(o: KubeObject): string {
  const name = o.metadata?.name ?? (o.metadata?.generateName === undefined ? "" : `${o.metadata.generateName}*`);
  return subjectOf(o.kind ?? "<no kind>", { ...o.metadata, name });
}

function annotation(o: KubeObject, key: string): string | undefined {
  return o.metadata?.annotations?.[key];
}

/**
 * The wave of an object: its `sync-wave` annotation, or 0.
 * @throws SigilError `sync.invalid_wave` when the annotation is not a decimal integer within ±2^31 (Argo CD ignores such a value silently; Sigil refuses it so that a typo does not reorder a rollout).
 */
export function waveOf(o: KubeObject): number {
  const text = annotation(o, SYNC_WAVE_ANNOTATION);
  if (text === undefined) return 0;
  const digits = text.startsWith("-") || text.startsWith("+") ? text.slice(1) : text;
  const ok = digits.length <= 10 && /^[0-9]+$/.test(digits); // one anchored class: linear time
  const value = ok ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new SigilError("sync.invalid_wave", `the annotation ${SYNC_WAVE_ANNOTATION} must be an integer (a 32-bit one, may be negative)`, { subject: subject(o) });
  }
  return value;
}

function list(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text.split(",", MAX_LIST + 1).map((v) => v.trim()).filter((v) => v !== "");
}

function known<T extends string>(values: readonly T[], v: string): v is T {
  return (values as readonly string[]).includes(v);
}

/**
 * The hook values of an object (`[]` for an ordinary resource).
 * @throws SigilError `hook.invalid` for a value Argo CD does not define, or too many values.
 */
export function hookValues(o: KubeObject): string[] {
  const values = list(annotation(o, HOOK_ANNOTATION));
  for (const v of values) {
    if (!known(HOOK_PHASES, v) && !known(NOT_IN_SYNC, v)) {
      throw new SigilError("hook.invalid", `the annotation ${HOOK_ANNOTATION} has an unknown value (known: ${[...HOOK_PHASES, ...NOT_IN_SYNC].join(", ")})`, { subject: subject(o) });
    }
  }
  if (values.length > MAX_LIST) throw new SigilError("hook.invalid", `the annotation ${HOOK_ANNOTATION} lists too many values`, { subject: subject(o) });
  return values;
}

/**
 * The delete policies of a hook (`BeforeHookCreation` when none is given).
 * @throws SigilError `hook.invalid` for an unknown policy.
 */
export function deletePolicies(o: KubeObject): Set<DeletePolicy> {
  const values = list(annotation(o, HOOK_DELETE_POLICY_ANNOTATION));
  const out = new Set<DeletePolicy>();
  for (const v of values) {
    if (!known(DELETE_POLICIES, v)) throw new SigilError("hook.invalid", `the annotation ${HOOK_DELETE_POLICY_ANNOTATION} has an unknown value (known: ${DELETE_POLICIES.join(", ")})`, { subject: subject(o) });
    out.add(v);
  }
  return out.size === 0 ? new Set(["BeforeHookCreation"]) : out;
}

function hookOf(o: KubeObject, values: readonly string[]): Hook {
  const hasName = (o.metadata?.name ?? "") !== "";
  if (!hasName && (o.metadata?.generateName ?? "") === "") throw new SigilError("hook.invalid", "a hook needs metadata.name or metadata.generateName", { subject: subject(o) });
  return { object: o, phases: new Set(values.filter((v) => known(HOOK_PHASES, v))), policies: deletePolicies(o), wave: waveOf(o), subject: subject(o) };
}

/** Group by wave, ascending; within a wave in install order (kind, namespace, name), as Argo CD orders a wave. */
export function byWave<T>(items: readonly T[], wave: (t: T) => number, object: (t: T) => KubeObject): Wave<T>[] {
  const groups = new Map<number, T[]>();
  for (const t of items) groups.set(wave(t), [...(groups.get(wave(t)) ?? []), t]);
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([w, ts]) => {
    const of = new Map(ts.map((t) => [object(t), t] as const));
    return { wave: w, items: sortForApply([...of.keys()]).map((o) => of.get(o) as T) };
  });
}

/**
 * Sort prepared objects for a sync: hooks apart, the rest by wave.
 * @throws SigilError `sync.invalid_wave` or `hook.invalid` naming the object; nothing is applied then.
 */
export function orderForSync(objects: readonly KubeObject[]): SyncOrder {
  const resources: { o: KubeObject; wave: number }[] = [];
  const hooks: Hook[] = [];
  const skipped: { subject: string; hook: string; object: KubeObject }[] = [];
  for (const o of objects) {
    const values = hookValues(o);
    const out = values.find((v) => known(NOT_IN_SYNC, v));
    if (out !== undefined) skipped.push({ subject: subject(o), hook: out, object: o });
    else if (values.length > 0) hooks.push(hookOf(o, values));
    else resources.push({ o, wave: waveOf(o) });
  }
  return { resources: byWave(resources, (r) => r.wave, (r) => r.o).map((w) => ({ wave: w.wave, items: w.items.map((r) => r.o) })), hooks, skipped };
}

/** The hooks of one phase, by wave. */
export function hooksOf(order: SyncOrder, phase: HookPhase): Wave<Hook>[] {
  return byWave(order.hooks.filter((h) => h.phases.has(phase)), (h) => h.wave, (h) => h.object);
}

/** Every wave number of the Sync phase (resources and `Sync` hooks), ascending. */
export function syncWaves(order: SyncOrder): number[] {
  return [...new Set([...order.resources.map((w) => w.wave), ...hooksOf(order, "Sync").map((w) => w.wave)])].sort((a, b) => a - b);
}

/** All resources of an order, wave after wave. */
export function resourcesOf(order: SyncOrder): KubeObject[] {
  return order.resources.flatMap((w) => [...w.items]);
}
