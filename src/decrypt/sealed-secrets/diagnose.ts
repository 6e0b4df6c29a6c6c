/**
 * Telling "moved or renamed" apart from "unknown key": when no key opens a
 * value under the object's own label, try the labels of the other scopes
 * and of the template's name/namespace. If one opens it, the value is fine
 * but bound elsewhere. The plaintext found this way is wiped, never returned.
 */
import { openWithKey, splitBlob } from "./codec.js";
import type { KeyRing } from "./keys.js";
import { encryptionLabel, scopeFromAnnotations } from "./scope.js";
import type { Scope } from "./scope.js";
import type { ObjectMeta } from "./types.js";

interface Candidate {
  readonly label: Buffer;
  readonly description: string;
}

function describe(scope: Scope, namespace: string, name: string): string {
  if (scope === "cluster-wide") return "the cluster-wide scope";
  if (scope === "namespace-wide") return `the namespace-wide scope of namespace "${namespace}"`;
  return `the strict scope of "${namespace}/${name}"`;
}

function candidatesFor(meta: ObjectMeta, template: ObjectMeta | undefined): Candidate[] {
  const own: Scope = scopeFromAnnotations(meta.annotations);
  const ns = meta.namespace ?? "";
  const name = meta.name ?? "";
  const out: Candidate[] = [];
  const seen = new Set<string>([encryptionLabel(ns, name, own).toString("hex")]);
  const add = (scope: Scope, n: string, nm: string): void => {
    const label = encryptionLabel(n, nm, scope);
    const key = label.toString("hex");
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ label, description: describe(scope, n, nm) });
  };
  if (template?.namespace !== undefined || template?.name !== undefined) {
    add("strict", template.namespace ?? ns, template.name ?? name);
    add("namespace-wide", template.namespace ?? ns, "");
  }
  add("strict", ns, name);
  add("namespace-wide", ns, "");
  add("cluster-wide", "", "");
  return out;
}

/**
 * The scope a blob was actually sealed for, when it is not the object's own.
 * Returns a description such as `the strict scope of "ns/old-name"`, or undefined.
 */
export function diagnoseScope(blob: Buffer, meta: ObjectMeta, template: ObjectMeta | undefined, ring: KeyRing): string | undefined {
  let parts;
  try {
    parts = splitBlob(blob);
  } catch {
    return undefined;
  }
  for (const candidate of candidatesFor(meta, template)) {
    for (const key of ring.keys()) {
      if (key.modulusBytes !== parts.rsaCiphertext.length) continue;
      ring.privateKeyOperations++;
      let plaintext: Buffer | null;
      try {
        plaintext = openWithKey(key.privateKey, parts, candidate.label);
      } catch {
        plaintext = null;
      }
      if (plaintext !== null) {
        plaintext.fill(0);
        return candidate.description;
      }
    }
  }
  return undefined;
}
