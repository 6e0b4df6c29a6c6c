/**
 * What the rollout controller keeps of each Deployment, StatefulSet and
 * DaemonSet (a small projection, so watching every workload of a cluster
 * costs little), and the Secret names a workload asks to follow.
 */
import { transform } from "../../kube/runtime/index.js";
import type { Transform } from "../../kube/runtime/index.js";
import { HASH_ANNOTATION, MAX_SECRETS_PER_WORKLOAD, RELOADER_SECRET_ANNOTATION, ROLLOUT_ANNOTATION } from "./constants.js";

/** A cached workload: identity, the opt-in annotations, and the hash now in its pod template. */
export interface Workload {
  readonly metadata: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly annotations: Readonly<Record<string, string>>;
  };
  /** The pod template's {@link HASH_ANNOTATION}, if any. */
  readonly hash: string | undefined;
}

interface RawWorkload {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
}

/** The workload projection (shared by the three kinds' informers). */
export const WORKLOAD: Transform<Workload> = transform("rollout-workload", (object) => {
  const o = object as RawWorkload;
  const m = o.metadata ?? {};
  const annotations: Record<string, string> = {};
  for (const k of [ROLLOUT_ANNOTATION, RELOADER_SECRET_ANNOTATION]) {
    const v = m.annotations?.[k];
    if (v !== undefined) annotations[k] = v;
  }
  return {
    metadata: { ...(m.name === undefined ? {} : { name: m.name }), ...(m.namespace === undefined ? {} : { namespace: m.namespace }), ...(m.uid === undefined ? {} : { uid: m.uid }), ...(m.resourceVersion === undefined ? {} : { resourceVersion: m.resourceVersion }), annotations },
    hash: o.spec?.template?.metadata?.annotations?.[HASH_ANNOTATION],
  };
});

/** True when an update changed what the controller acts on (not a status update). */
export function workloadChanged(a: Workload, b: Workload): boolean {
  return a.hash !== b.hash || JSON.stringify(a.metadata.annotations) !== JSON.stringify(b.metadata.annotations);
}

/** The names a workload follows, or why they are refused. */
export type Followed = { readonly names: readonly string[] } | { readonly invalid: string };

/** The Secret names `w` follows: {@link ROLLOUT_ANNOTATION}, plus Reloader's when `reloader` (comma-separated, trimmed, deduplicated). */
export function followedSecrets(w: Workload, reloader: boolean): Followed {
  const raw = [w.metadata.annotations[ROLLOUT_ANNOTATION], reloader ? w.metadata.annotations[RELOADER_SECRET_ANNOTATION] : undefined];
  const names = [...new Set(raw.flatMap((v) => (v ?? "").split(",")).map((s) => s.trim()).filter((s) => s !== ""))];
  if (names.length > MAX_SECRETS_PER_WORKLOAD) return { invalid: `names ${names.length} secrets (at most ${MAX_SECRETS_PER_WORKLOAD})` };
  const bad = names.find((n) => !isDnsSubdomain(n));
  if (bad !== undefined) return { invalid: `${JSON.stringify(bad.slice(0, 64))} is not a valid secret name` };
  return { names };
}

/** RFC 1123 subdomain, as Secret names must be (checked by hand: linear, no regex on input). */
export function isDnsSubdomain(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  for (const label of s.split(".")) {
    if (label.length === 0 || label.length > 63) return false;
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      const alnum = (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
      if (!alnum && !(c === 45 && i > 0 && i < label.length - 1)) return false;
    }
  }
  return true;
}
