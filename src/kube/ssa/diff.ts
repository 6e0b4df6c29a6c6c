/**
 * `diff`: what applying an object would do, decided by a server-side
 * dry-run apply compared with the live object (`normalize.ts`). Makes no
 * write: one GET and one dry-run PATCH per object, `concurrency` objects at
 * a time.
 */
import { isSigilError, mapBounded } from "../../core/index.js";
import type { KubeObject } from "../objects.js";
import { applySkipReason, forceRecreate } from "./annotations.js";
import type { ChangeSetEntry } from "./changeset.js";
import type { SsaContext } from "./context.js";
import { applyError } from "./errors.js";
import { hasDrifted, objectDiff } from "./normalize.js";
import type { ApplyOptions } from "./options.js";
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

/** `{ resourceVersion }` of a live object, when it has one. */
export function versionOf(live: KubeObject | undefined): Pick<ChangeSetEntry, "resourceVersion"> {
  const rv = live?.metadata?.resourceVersion;
  return rv === undefined ? {} : { resourceVersion: rv };
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
  let dryRun: KubeObject;
  try {
    dryRun = await ctx.client.patch<KubeObject>(target.path, applyBody(target.object), "apply", applyQuery(opts, true));
  } catch (err) {
    const mapped = applyError(err, target.subject);
    if (isSigilError(mapped, "apply.immutable") && live !== undefined && (opts.recreateOnImmutable || forceRecreate(target.object))) {
      return { entry: entryOf(target, "created", { recreated: true }), target, write: true, recreate: true };
    }
    throw mapped;
  }
  if (live === undefined) return { entry: entryOf(target, "created", { diff: objectDiff(undefined, dryRun) }), target, write: true, recreate: false };
  if (!hasDrifted(live, dryRun)) return { entry: entryOf(target, "unchanged", versionOf(live)), target, write: false, recreate: false };
  return { entry: entryOf(target, "configured", { diff: objectDiff(live, dryRun) }), target, write: true, recreate: false };
}

/**
 * Diff several objects, `opts.concurrency` at a time; the results are in the
 * order of `objects`. After the first error no new diff starts.
 * @throws SigilError as {@link diffObject}: of the earliest object (in order) whose diff failed.
 */
export async function diffAll(ctx: SsaContext, objects: readonly KubeObject[], opts: ApplyOptions, discoveryWaitMs = 0): Promise<DiffResult[]> {
  return mapBounded(objects, opts.concurrency, (object) => diffObject(ctx, object, opts, discoveryWaitMs));
}
