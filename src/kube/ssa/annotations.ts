/**
 * The Flux annotations Sigil honours, so manifests written for Flux behave
 * the same here.
 */
import type { KubeObject } from "../objects.js";

/** `kustomize.toolkit.fluxcd.io/ssa`: `Override` (default), `Merge`, `IfNotPresent` or `Ignore`. */
export const SSA_ANNOTATION = "kustomize.toolkit.fluxcd.io/ssa";
/** `kustomize.toolkit.fluxcd.io/prune: disabled` keeps an object out of deletes. */
export const PRUNE_ANNOTATION = "kustomize.toolkit.fluxcd.io/prune";
/** `kustomize.toolkit.fluxcd.io/force: enabled` recreates the object when an immutable field changes. */
export const FORCE_ANNOTATION = "kustomize.toolkit.fluxcd.io/force";

/** Sigil's own equivalents of the `ssa` and `prune` annotations (same values, same meaning). */
export const SIGIL_SSA_ANNOTATION = "gitops.sigil.dev/ssa";
export const SIGIL_PRUNE_ANNOTATION = "gitops.sigil.dev/prune";

const SIGIL_EQUIVALENT: Readonly<Record<string, string>> = { [SSA_ANNOTATION]: SIGIL_SSA_ANNOTATION, [PRUNE_ANNOTATION]: SIGIL_PRUNE_ANNOTATION };

/** The annotation's value, Flux's name first, then Sigil's equivalent. */
function annotation(object: KubeObject | undefined, key: string): string | undefined {
  const sigil = SIGIL_EQUIVALENT[key];
  return object?.metadata?.annotations?.[key] ?? (sigil === undefined ? undefined : object?.metadata?.annotations?.[sigil]);
}

/**
 * Why an object is not applied, or undefined to apply it: `Ignore` on the
 * desired or the live object skips it; `IfNotPresent` on the desired
 * object skips it once it exists.
 */
export function applySkipReason(desired: KubeObject, live: KubeObject | undefined): string | undefined {
  if (annotation(desired, SSA_ANNOTATION)?.toLowerCase() === "ignore" || annotation(live, SSA_ANNOTATION)?.toLowerCase() === "ignore") return `${SSA_ANNOTATION}: Ignore`;
  if (live !== undefined && annotation(desired, SSA_ANNOTATION)?.toLowerCase() === "ifnotpresent") return `${SSA_ANNOTATION}: IfNotPresent`;
  return undefined;
}

/** Why an object is not deleted, or undefined to delete it. */
export function deleteSkipReason(desired: KubeObject, live: KubeObject | undefined): string | undefined {
  if (annotation(desired, PRUNE_ANNOTATION)?.toLowerCase() === "disabled" || annotation(live, PRUNE_ANNOTATION)?.toLowerCase() === "disabled") return `${PRUNE_ANNOTATION}: disabled`;
  if (annotation(live, SSA_ANNOTATION)?.toLowerCase() === "ignore") return `${SSA_ANNOTATION}: Ignore`;
  return undefined;
}

/** True when the object asks to be recreated on immutable-field changes. */
export function forceRecreate(desired: KubeObject): boolean {
  return annotation(desired, FORCE_ANNOTATION)?.toLowerCase() === "enabled";
}
