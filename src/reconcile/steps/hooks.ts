/**
 * Running Argo CD hooks (docs/ordering.md): the hooks of a phase, wave by
 * wave, each created (after deleting the previous one under
 * `BeforeHookCreation`), waited for until it finishes (a Job `Complete` or
 * `Failed`, a Pod `Succeeded` or `Failed`, anything else ready), then
 * deleted as its policies say. Hooks are not in the inventory: they are
 * never pruned and never count as drift.
 */
import { SigilError, describeError } from "../../core/index.js";
import { gvkOf, readiness, resourcePath, subjectOf } from "../../kube/index.js";
import type { Condition, KubeObject, ResourceManager } from "../../kube/index.js";
import { hooksOf } from "./waves.js";
import type { Hook, HookPhase, SyncOrder } from "./waves.js";

/** What happened to one hook in one phase (names only, never a value). */
export interface HookRun {
  readonly phase: HookPhase;
  /** `Kind/namespace/name` as created (the generated name for `generateName` hooks). */
  readonly subject: string;
  readonly outcome: "Succeeded" | "Failed" | "TimedOut" | "Error";
  /** A condition reason or error code: a short token, never a message. */
  readonly reason?: string;
  /** True when the delete policy removed it afterwards. */
  readonly deleted: boolean;
}

export interface HookOptions {
  readonly manager: ResourceManager;
  readonly defaultNamespace: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** Defaults: poll every 500 ms with the real clock (manager, namespace and timeout come from the plan). */
export function defaultHookOptions(manager: ResourceManager, defaultNamespace: string, timeoutMs: number): HookOptions {
  return { manager, defaultNamespace, timeoutMs, intervalMs: 500, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: Date.now };
}

type State = { readonly state: "running" } | { readonly state: "succeeded" } | { readonly state: "failed"; readonly reason: string };

/** A condition reason as a bounded token (a reason is CamelCase by convention; anything else is not echoed). */
function token(reason: string | undefined): string {
  return reason !== undefined && reason.length <= 64 && /^[A-Za-z0-9_.-]+$/.test(reason) ? reason : "NoReason";
}

function cond(o: KubeObject, type: string): Condition | undefined {
  return (o as { status?: { conditions?: readonly Condition[] } }).status?.conditions?.find((c) => c.type === type && c.status === "True");
}

/** Has a live hook finished? Jobs by their `Complete` / `Failed` conditions, Pods by phase, anything else by the readiness rules of `wait`. */
export function hookState(live: KubeObject): State {
  const group = (live.apiVersion ?? "").split("/")[0];
  if (live.kind === "Job" && group === "batch") {
    const failed = cond(live, "Failed");
    if (failed !== undefined) return { state: "failed", reason: token(failed.reason) };
    return cond(live, "Complete") !== undefined ? { state: "succeeded" } : { state: "running" };
  }
  if (live.kind === "Pod" && live.apiVersion === "v1") {
    const phase = (live as { status?: { phase?: string } }).status?.phase;
    return phase === "Succeeded" ? { state: "succeeded" } : phase === "Failed" ? { state: "failed", reason: "PodFailed" } : { state: "running" };
  }
  const r = readiness(live);
  return r.state === "ready" ? { state: "succeeded" } : r.state === "failed" ? { state: "failed", reason: "NotHealthy" } : { state: "running" };
}

interface Started {
  readonly hook: Hook;
  readonly path: string;
  readonly subject: string;
}

async function collectionPath(o: KubeObject, opts: HookOptions): Promise<{ path: (name?: string) => string; namespace: string | undefined }> {
  const mapping = await opts.manager.mapper.mapping(gvkOf(o));
  const ns = mapping.namespaced ? (o.metadata?.namespace ?? opts.defaultNamespace) : undefined;
  return { path: (name) => resourcePath(mapping, { namespace: ns, name }), namespace: ns };
}

async function waitGone(path: string, subject: string, opts: HookOptions): Promise<void> {
  const deadline = opts.now() + opts.timeoutMs;
  while ((await opts.manager.client.get(path)) !== undefined) {
    if (opts.now() >= deadline) throw new SigilError("hook.failed", "the previous hook object is still present after its deletion", { subject });
    await opts.sleep(opts.intervalMs);
  }
}

/** Create one hook: by `generateName` (a new object every time), or by name after deleting the previous one under `BeforeHookCreation`. */
async function start(hook: Hook, opts: HookOptions): Promise<Started> {
  const where = await collectionPath(hook.object, opts);
  const name = hook.object.metadata?.name ?? "";
  const object = { ...hook.object, metadata: { ...hook.object.metadata, ...(where.namespace === undefined ? {} : { namespace: where.namespace }) } };
  if (name === "") {
    const created = await opts.manager.client.create<KubeObject>(where.path(), object);
    const generated = created.metadata?.name ?? "";
    return { hook, path: where.path(generated), subject: subjectOf(hook.object.kind ?? "", { name: generated, ...(where.namespace === undefined ? {} : { namespace: where.namespace }) }) };
  }
  if (hook.policies.has("BeforeHookCreation")) {
    await opts.manager.client.delete(where.path(name), { propagationPolicy: "Background" });
    await waitGone(where.path(name), hook.subject, opts);
  }
  await opts.manager.apply([object], { fieldManager: "sigil", force: true, defaultNamespace: opts.defaultNamespace, stageTimeoutMs: opts.timeoutMs });
  return { hook, path: where.path(name), subject: subjectOf(hook.object.kind ?? "", { name, ...(where.namespace === undefined ? {} : { namespace: where.namespace }) }) };
}

/** Poll the started hooks until each has finished or the deadline passes. */
async function finish(started: readonly Started[], opts: HookOptions): Promise<Map<Started, State | undefined>> {
  const deadline = opts.now() + opts.timeoutMs;
  const done = new Map<Started, State | undefined>();
  for (;;) {
    for (const s of started.filter((x) => !done.has(x))) {
      const live = await opts.manager.client.get<KubeObject>(s.path);
      const state = live === undefined ? ({ state: "failed", reason: "Deleted" } as const) : hookState(live);
      if (state.state !== "running") done.set(s, state);
    }
    if (done.size === started.length) return done;
    if (opts.now() >= deadline) {
      for (const s of started) if (!done.has(s)) done.set(s, undefined);
      return done;
    }
    await opts.sleep(Math.min(opts.intervalMs, Math.max(0, deadline - opts.now())));
  }
}

async function cleanUp(s: Started, state: State | undefined, opts: HookOptions): Promise<boolean> {
  const policy = state?.state === "succeeded" ? "HookSucceeded" : state?.state === "failed" ? "HookFailed" : undefined;
  if (policy === undefined || !s.hook.policies.has(policy)) return false;
  return opts.manager.client.delete(s.path, { propagationPolicy: "Background" });
}

function runOf(phase: HookPhase, s: Started, state: State | undefined, deleted: boolean): HookRun {
  if (state === undefined) return { phase, subject: s.subject, outcome: "TimedOut", deleted };
  return state.state === "failed" ? { phase, subject: s.subject, outcome: "Failed", reason: state.reason, deleted } : { phase, subject: s.subject, outcome: "Succeeded", deleted };
}

async function runWave(phase: HookPhase, hooks: readonly Hook[], opts: HookOptions, runs: HookRun[]): Promise<void> {
  const started: Started[] = [];
  try {
    for (const h of hooks) started.push(await start(h, opts));
  } catch (err) {
    const code = err instanceof SigilError ? err.code : "internal";
    const failed = hooks[started.length];
    runs.push({ phase, subject: failed?.subject ?? "", outcome: "Error", reason: code, deleted: false });
    throw new SigilError("hook.failed", `the ${phase} hook could not be created: ${describeError(err)}`, { subject: failed?.subject, cause: err });
  }
  const states = await finish(started, opts);
  let firstBad: HookRun | undefined;
  for (const s of started) {
    const state = states.get(s);
    const run = runOf(phase, s, state, await cleanUp(s, state, opts));
    runs.push(run);
    if (run.outcome !== "Succeeded") firstBad ??= run;
  }
  if (firstBad !== undefined) {
    const why = firstBad.outcome === "TimedOut" ? `did not finish within ${opts.timeoutMs} ms` : `failed (${firstBad.reason ?? "NoReason"})`;
    throw new SigilError("hook.failed", `the ${phase} hook ${why}`, { subject: firstBad.subject });
  }
}

/**
 * Run the hooks of one phase (or only those of one wave, for the `Sync` phase), wave by wave; `runs` gets one entry per hook.
 * @throws SigilError `hook.failed` naming the first hook that failed, timed out or could not be created (the later waves of the phase do not run).
 */
export async function runHookPhase(order: SyncOrder, phase: HookPhase, opts: HookOptions, runs: HookRun[], onlyWave?: number): Promise<void> {
  for (const w of hooksOf(order, phase)) {
    if (onlyWave !== undefined && w.wave !== onlyWave) continue;
    await runWave(phase, w.items, opts, runs);
  }
}

/** Run the `SyncFail` hooks after a failed sync; their own failure is only recorded in `runs` (the sync has failed already). */
export async function runSyncFailHooks(order: SyncOrder, opts: HookOptions, runs: HookRun[]): Promise<void> {
  try {
    await runHookPhase(order, "SyncFail", opts, runs);
  } catch {
    // recorded in runs
  }
}
