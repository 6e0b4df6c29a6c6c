/**
 * `wait`: poll objects until every one is ready (`readiness.ts`), one
 * fails, or the timeout passes.
 */
import { SigilError } from "../../core/index.js";
import type { KubeObject } from "../objects.js";
import type { SsaContext } from "./context.js";
import type { WaitOptions } from "./options.js";
import { readiness } from "./readiness.js";
import { resolveTarget } from "./target.js";
import type { Target } from "./target.js";

/**
 * Wait until every object exists and is ready.
 * @throws SigilError `apply.timeout` listing the objects not ready (and why) when the timeout passes; `apply.failed` naming the object when one fails (a failed Job, a Deployment past its progress deadline, a CRD whose names are not accepted); `kube.*` when a request fails.
 */
export async function waitForReady(ctx: SsaContext, objects: readonly KubeObject[], opts: WaitOptions): Promise<void> {
  const targets: Target[] = [];
  for (const object of objects) targets.push(await resolveTarget(ctx.mapper, object, opts.defaultNamespace));
  const deadline = ctx.now() + opts.timeoutMs;
  let pending = targets;
  for (;;) {
    const waiting: { target: Target; why: string }[] = [];
    for (const target of pending) {
      const live = await ctx.client.get<KubeObject>(target.path);
      const state = live === undefined ? { state: "in_progress" as const, message: "not found" } : readiness(live);
      if (state.state === "failed") throw new SigilError("apply.failed", `not ready: ${state.message}`, { subject: target.subject });
      if (state.state === "in_progress") waiting.push({ target, why: state.message });
    }
    if (waiting.length === 0) return;
    if (ctx.now() >= deadline) {
      const list = waiting.map((w) => `${w.target.subject} (${w.why})`).join(", ");
      throw new SigilError("apply.timeout", `not ready after ${opts.timeoutMs} ms: ${list}`, { subject: waiting[0]?.target.subject });
    }
    pending = waiting.map((w) => w.target);
    await ctx.sleep(Math.min(opts.intervalMs, Math.max(0, deadline - ctx.now())));
  }
}

/**
 * Wait until an object is gone (after a delete).
 * @throws SigilError `apply.timeout` when it still exists after `timeoutMs`.
 */
export async function waitForDeletion(ctx: SsaContext, target: Target, timeoutMs: number, intervalMs: number): Promise<void> {
  const deadline = ctx.now() + timeoutMs;
  while ((await ctx.client.get<KubeObject>(target.path)) !== undefined) {
    if (ctx.now() >= deadline) throw new SigilError("apply.timeout", `still present ${timeoutMs} ms after its deletion`, { subject: target.subject });
    await ctx.sleep(intervalMs);
  }
}
