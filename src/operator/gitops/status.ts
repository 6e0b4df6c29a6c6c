/** Conditions and status patches of GitSource and Sync (docs/crds/*.md). No value ever goes into a message. */
import { redact } from "../../core/index.js";
import type { KubeClient, ResourceType } from "../../kube/index.js";
import { resourcePath } from "../../kube/index.js";
import type { Condition } from "../../reconcile/index.js";

export const GITSOURCES: ResourceType = { group: "gitops.sigil.dev", version: "v1alpha1", plural: "gitsources" };
export const SYNCS: ResourceType = { group: "gitops.sigil.dev", version: "v1alpha1", plural: "syncs" };

/** A condition, keeping `lastTransitionTime` when the status did not change. */
export function condition(previous: readonly Condition[] | undefined, type: string, status: Condition["status"], reason: string, message: string, now: Date, generation: number | undefined): Condition {
  const old = previous?.find((c) => c.type === type);
  const lastTransitionTime = old !== undefined && old.status === status ? old.lastTransitionTime : now.toISOString();
  return { type, status, reason, message: redact(message).slice(0, 4000), lastTransitionTime, ...(generation === undefined ? {} : { observedGeneration: generation }) };
}

/** Merge-patch the status subresource. */
export async function patchStatus(client: KubeClient, type: ResourceType, namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
  await client.patch(resourcePath(type, { namespace, name, subresource: "status" }), { status }, "merge");
}
