/**
 * `preflight`: would every read, apply and delete of a set be allowed?
 * Run before the first write when the writer may be denied (an
 * impersonated ServiceAccount, a remote cluster's user), so that a denial
 * leaves the whole set unwritten. One GET and one dry-run apply per object
 * to apply, one dry-run DELETE per object to prune; nothing is written.
 *
 * The API server authorizes a request before it looks for the object or
 * its namespace, so a 404 (an object or namespace the set creates) means
 * "allowed". Only a denial (`kube.forbidden`) fails the preflight: other
 * errors (an invalid object, a conflict) are left for the apply to report.
 * Objects of a kind the server does not serve yet (a CRD in the same set)
 * cannot be checked before their CRD exists and are skipped.
 */
import { isSigilError } from "../../core/index.js";
import type { KubeObject } from "../objects.js";
import type { SsaContext } from "./context.js";
import { applyBody, applyQuery } from "./diff.js";
import { applyError } from "./errors.js";
import type { ApplyOptions } from "./options.js";
import { resolveTarget } from "./target.js";
import type { Target } from "./target.js";

/** Requests in flight at once. */
const CONCURRENCY = 8;

async function targetOf(ctx: SsaContext, object: KubeObject, defaultNamespace: string): Promise<Target | undefined> {
  try {
    return await resolveTarget(ctx.mapper, object, defaultNamespace);
  } catch (err) {
    if (isSigilError(err, "kube.unknown_kind")) return undefined;
    throw err;
  }
}

/** Run `fn`, rethrowing only a denial (with the object as subject). */
async function deniedOnly(subject: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const mapped = applyError(err, subject);
    if (mapped.code === "kube.forbidden" || mapped.code === "kube.unauthorized") throw mapped;
  }
}

async function checkApply(ctx: SsaContext, object: KubeObject, opts: ApplyOptions): Promise<void> {
  const target = await targetOf(ctx, object, opts.defaultNamespace);
  if (target === undefined) return;
  await deniedOnly(target.subject, () => ctx.client.get(target.path));
  await deniedOnly(target.subject, () => ctx.client.patch(target.path, applyBody(target.object), "apply", applyQuery(opts, true)));
}

async function checkDelete(ctx: SsaContext, object: KubeObject, opts: ApplyOptions): Promise<void> {
  const target = await targetOf(ctx, object, opts.defaultNamespace);
  if (target === undefined) return;
  await deniedOnly(target.subject, () => ctx.client.delete(target.path, { dryRun: "All", propagationPolicy: "Background" }));
}

/**
 * Check `apply` (to be applied) and `remove` (to be pruned) without writing.
 * @throws SigilError `kube.forbidden` (or `kube.unauthorized`) with the API server's denial and the object as subject, for the first denial found; `apply.invalid` for an object without kind or name; `kube.unreachable` and other errors of discovery.
 */
export async function preflightAll(ctx: SsaContext, apply: readonly KubeObject[], remove: readonly KubeObject[], opts: ApplyOptions): Promise<void> {
  const jobs: (() => Promise<void>)[] = [...apply.map((o) => () => checkApply(ctx, o, opts)), ...remove.map((o) => () => checkDelete(ctx, o, opts))];
  let next = 0;
  let failure: Error | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < jobs.length) {
      const job = jobs[next++];
      if (job === undefined) return;
      await job().catch((err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
  if (failure !== undefined) throw failure;
}
