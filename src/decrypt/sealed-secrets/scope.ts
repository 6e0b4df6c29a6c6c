/**
 * Sealing scopes and the OAEP label each one binds a ciphertext to
 * (docs/formats.md#b2-scopes-and-labels).
 */
import { SigilError } from "../../core/index.js";
import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION } from "./constants.js";

export const SCOPES = ["strict", "namespace-wide", "cluster-wide"] as const;
export type Scope = (typeof SCOPES)[number];

/** Annotations as found on an object (possibly absent). */
export type Annotations = Readonly<Record<string, string>> | undefined;

/**
 * Parse a `--scope` value. The empty string means the default (strict).
 * @throws SigilError `input.invalid` for anything else.
 */
export function parseScope(value: string): Scope {
  if (value === "") return "strict";
  if ((SCOPES as readonly string[]).includes(value)) return value as Scope;
  throw new SigilError("input.invalid", `scope must be one of: ${SCOPES.join(", ")} (got '${value}')`);
}

/** The scope an object's annotations select; cluster-wide wins when both are set. */
export function scopeFromAnnotations(annotations: Annotations): Scope {
  if (annotations?.[CLUSTER_WIDE_ANNOTATION] === "true") return "cluster-wide";
  if (annotations?.[NAMESPACE_WIDE_ANNOTATION] === "true") return "namespace-wide";
  return "strict";
}

/** The OAEP label for a scope: `ns/name`, `ns`, or empty. */
export function encryptionLabel(namespace: string, name: string, scope: Scope): Buffer {
  switch (scope) {
    case "cluster-wide":
      return Buffer.alloc(0);
    case "namespace-wide":
      return Buffer.from(namespace, "utf8");
    case "strict":
      return Buffer.from(`${namespace}/${name}`, "utf8");
  }
}

/** Object metadata fields the label depends on. */
export interface ScopedMeta {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  readonly annotations?: Annotations;
}

/** The label a SealedSecret unseals with: from its **own** metadata, never the template. */
export function labelForMeta(meta: ScopedMeta): Buffer {
  return encryptionLabel(meta.namespace ?? "", meta.name ?? "", scopeFromAnnotations(meta.annotations));
}

/**
 * A copy of `annotations` with the scope annotations set for `scope`
 * (strict removes both), as kubeseal writes them.
 */
export function withScopeAnnotations(annotations: Annotations, scope: Scope): Record<string, string> {
  const out: Record<string, string> = Object.fromEntries(
    Object.entries(annotations ?? {}).filter(([key]) => key !== NAMESPACE_WIDE_ANNOTATION && key !== CLUSTER_WIDE_ANNOTATION),
  );
  if (scope === "namespace-wide") out[NAMESPACE_WIDE_ANNOTATION] = "true";
  if (scope === "cluster-wide") out[CLUSTER_WIDE_ANNOTATION] = "true";
  return out;
}
