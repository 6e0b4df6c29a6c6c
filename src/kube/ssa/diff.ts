/**
 * `diff`: what applying an object would do, decided by a server-side
 * dry-run apply compared with the live object (`normalize.ts`). Makes no
 * write: one GET and one dry-run PATCH per object, or only the GET when
 * the same body was found to change nothing at the live object's
 * resourceVersion (`fixed-points.ts`).
 */
import { isSigilError } from "../../core/index.js";
import type { KubeObject } from "../objects.js";
import { applySkipReason, forceRecreate } from "./annotations.js";
import type { ChangeSetEntry } from "./changeset.js";
import type { SsaContext } from "./context.js";
import { applyError } from "./errors.js";
import { hasDrifted, objectDiff } from "./normalize.js";
import type { ApplyOptions } from "./options.js";
import { FixedPoints } from "./fixed-points.js";
import { resolveTarget } from "./target.js";
import type { Target } from "./target.js";

/** What `diff` found for one object, and what `apply` then has to write. */
export interface DiffResult {
  readonly entry: ChangeSetEntry;
  readonly target: Target;
  /** True when a write is needed (`created` or `configured`). */
  readonly write: boolean;
  /** True when the object must be deleted first (immutable field changed, recreation allowed). */
  readonly recreate: boolean;
}

/** Server-populated metadata that must not be sent in an apply. */
const SERVER_FIELDS = ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink"] as const;

/** The object as it is sent in an apply: without server-populated metadata and status. */
export function applyBody(object: KubeObject): KubeObject {
  const skip = new Set<string>(SERVER_FIELDS);
  const metadata = Object.fromEntries(Object.entries(object.metadata ?? {}).filter(([key]) => !skip.has(key)));
  const rest = Object.fromEntries(Object.entries(object).filter(([key]) => key !== "status" && key !== "metadata"));
  return { ...rest, metadata };
}

/** The query of an apply request. */
export function applyQuery(opts: Pick<ApplyOptions, "fieldManager" | "force">, dryRun: boolean): Record<string, string | boolean | undefined> {
  return { fieldManager: opts.fieldManager, force: opts.force ? true : undefined, dryRun: dryRun ? "All" : undefined };
}

function entryOf(target: Target, action: ChangeSetEntry["action"], extra: Partial<ChangeSetEntry> = {}): ChangeSetEntry {
  const apiVersion = target.object.apiVersion ?? "";
  return { subject: target.subject, apiVersion, kind: target.mapping.kind, namespace: target.namespace, name: target.name, action, ...extra };
}

/**
 * Diff one object.
 * @throws SigilError `apply.conflict` (naming the other field managers), `apply.immutable` (unless recreation is allowed), `apply.invalid`, `kube.unknown_kind`, or another `kube.*` code; the subject is the object.
 */
export async function diffObject(ctx: SsaContext, object: KubeObject, opts: ApplyOptions, discoveryWaitMs = 0): Promise<DiffResult> {
  const target = await resolveTarget(ctx.mapper, object, opts.defaultNamespace, discoveryWaitMs);
  let live: KubeObject | undefined;
  try {
    live = await ctx.client.get<KubeObject>(target.path);
  } catch (err) {
    throw applyError(err, target.subject);
  }
  const skip = applySkipReason(target.object, live);
  if (skip !== undefined) return { entry: entryOf(target, "skipped", { reason: skip }), target, write: false, recreate: false };
  const body = applyBody(target.object);
  const hash = ctx.fixedPoints === undefined ? "" : FixedPoints.hash(body, opts.fieldManager, opts.force);
  const rv = live?.metadata?.resourceVersion;
  if (live !== undefined && ctx.fixedPoints?.has(target.path, rv, hash) === true) return { entry: entryOf(target, "unchanged"), target, write: false, recreate: false };
  let dryRun: KubeObject;
  try {
    dryRun = await ctx.client.patch<KubeObject>(target.path, body, "apply", applyQuery(opts, true));
  } catch (err) {
    const mapped = applyError(err, target.subject);
    if (isSigilError(mapped, "apply.immutable") && live !== undefined && (opts.recreateOnImmutable || forceRecreate(target.object))) {
      return { entry: entryOf(target, "created", { recreated: true }), target, write: true, recreate: true };
    }
    throw mapped;
  }
  if (live === undefined) return { entry: entryOf(target, "created", { diff: objectDiff(undefined, dryRun) }), target, write: true, recreate: false };
  if (!hasDrifted(live, dryRun)) {
    ctx.fixedPoints?.add(target.path, rv, hash);
    return { entry: entryOf(target, "unchanged"), target, write: false, recreate: false };
  }
  return { entry: entryOf(target, "configured", { diff: objectDiff(live, dryRun) }), target, write: true, recreate: false };
}

/** How many objects {@link diffAll} diffs at once by default (each is a GET and a dry-run PATCH). */
export const DEFAULT_DIFF_CONCURRENCY = 8;

/**
 * Diff several objects, up to `opts.diffConcurrency` at once (default
 * {@link DEFAULT_DIFF_CONCURRENCY}); the results are in the order of
 * `objects`. After a failure no further diff is started, and the failure of
 * the earliest object is thrown. A diff writes nothing, so running them
 * side by side changes nothing but the time: the writes still come after
 * every diff has succeeded, in order.
 * @throws SigilError as {@link diffObject}.
 */
export async function diffAll(ctx: SsaContext, objects: readonly KubeObject[], opts: ApplyOptions, discoveryWaitMs = 0): Promise<DiffResult[]> {
  const out: DiffResult[] = new Array<DiffResult>(objects.length);
  const failures = new Map<number, unknown>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failures.size === 0 && next < objects.length) {
      const i = next++;
      const object = objects[i];
      if (object === undefined) continue;
      try {
        out[i] = await diffObject(ctx, object, opts, discoveryWaitMs);
      } catch (err) {
        failures.set(i, err);
      }
    }
  };
  const width = Math.max(1, Math.min(opts.diffConcurrency ?? DEFAULT_DIFF_CONCURRENCY, objects.length));
  await Promise.all(Array.from({ length: width }, worker));
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
  return out;
}
