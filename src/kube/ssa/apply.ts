/**
 * `apply`: server-side apply of objects of any kind, writing only what
 * drifted. Every object of a call is diffed first (GET + dry-run apply,
 * `diff.ts`), so a call that fails on any object writes nothing; then the
 * objects that are new or drifted are applied, in install order. A staged
 * apply does this for CRDs and Namespaces first and waits until those it
 * wrote are established / active, then for cluster-wide RBAC and classes,
 * then for the rest.
 */
import type { KubeObject } from "../objects.js";
import type { ChangeSetEntry } from "./changeset.js";
import type { SsaContext } from "./context.js";
import { applyBody, applyQuery, diffAll, versionOf } from "./diff.js";
import type { DiffResult } from "./diff.js";
import { applyError } from "./errors.js";
import type { ApplyOptions } from "./options.js";
import { sortForApply, stages } from "./sort.js";
import { waitForDeletion, waitForReady } from "./wait.js";

/** How long to wait for the API server to serve a kind whose CRD was applied in an earlier stage. */
const DISCOVERY_WAIT_MS = 10_000;

/** Write one object; its entry then carries the resourceVersion the API server gave the write. */
async function write(ctx: SsaContext, result: DiffResult, opts: ApplyOptions): Promise<ChangeSetEntry> {
  const { target } = result;
  try {
    if (result.recreate) {
      await ctx.client.delete(target.path, { propagationPolicy: "Foreground" });
      await waitForDeletion(ctx, target, opts.stageTimeoutMs, 200);
    }
    const written = await ctx.client.patch<KubeObject | undefined>(target.path, applyBody(target.object), "apply", applyQuery(opts, false));
    return { ...result.entry, ...versionOf(written) };
  } catch (err) {
    throw applyError(err, target.subject);
  }
}

/**
 * Apply objects in install order (no stages, no waiting). With `dryRun`,
 * only the diff is made.
 * @throws SigilError `apply.conflict`, `apply.immutable`, `apply.invalid`, `kube.unknown_kind`, `kube.*`, with the object as subject; when a diff fails nothing has been written.
 */
export async function applyAll(ctx: SsaContext, objects: readonly KubeObject[], opts: ApplyOptions, discoveryWaitMs = 0): Promise<ChangeSetEntry[]> {
  const results = await diffAll(ctx, sortForApply(objects), opts, discoveryWaitMs);
  const entries: ChangeSetEntry[] = [];
  for (const result of results) entries.push(result.write && !opts.dryRun ? await write(ctx, result, opts) : result.entry);
  return entries;
}

/**
 * Staged apply (see the module comment). With `dryRun`, each stage is only
 * diffed and nothing is waited for (so custom resources whose CRD is not
 * yet applied fail with `kube.unknown_kind`).
 * @throws SigilError as {@link applyAll}; `apply.timeout` when a CRD or Namespace is not ready in `stageTimeoutMs`.
 */
export async function applyAllStaged(ctx: SsaContext, objects: readonly KubeObject[], opts: ApplyOptions): Promise<ChangeSetEntry[]> {
  const [definitions, policies, rest] = stages(objects);
  const entries = await applyAll(ctx, definitions, opts);
  // Only what this call wrote is waited for: an unchanged CRD or Namespace is already there.
  const written = entries.filter((e) => e.action === "created" || e.action === "configured");
  const definedKinds = written.length > 0;
  if (definedKinds && !opts.dryRun) {
    const waitFor = definitions.filter((o) => written.some((e) => e.kind === o.kind && e.name === o.metadata?.name));
    await waitForReady(ctx, waitFor, { timeoutMs: opts.stageTimeoutMs, intervalMs: 200, defaultNamespace: opts.defaultNamespace });
  }
  const waitMs = definedKinds && !opts.dryRun ? DISCOVERY_WAIT_MS : 0;
  entries.push(...(await applyAll(ctx, policies, opts, waitMs)));
  entries.push(...(await applyAll(ctx, rest, opts, waitMs)));
  return entries;
}
