/**
 * ClusterSecretStore `conditions` (ESO `shouldProcessSecret`): with none,
 * every namespace may use the store; otherwise a namespace is allowed when
 * any condition's label selector, namespace list or RE2 regex matches it.
 */
import { RE2JS } from "re2js";
import type { StoreCondition } from "./types.js";

type Selector = NonNullable<StoreCondition["namespaceSelector"]>;

/** Kubernetes label-selector matching (matchLabels and matchExpressions). */
export function selectorMatches(sel: Selector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const key = e.key ?? "";
    const has = Object.hasOwn(labels, key);
    const values = e.values ?? [];
    switch (e.operator) {
      case "In": if (!has || !values.includes(labels[key] ?? "")) return false; break;
      case "NotIn": if (has && values.includes(labels[key] ?? "")) return false; break;
      case "Exists": if (!has) return false; break;
      case "DoesNotExist": if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

function regexMatches(source: string, ns: string): boolean {
  try {
    return RE2JS.compile(source).test(ns);
  } catch {
    return false;
  }
}

/** Whether namespace `ns` (with `labels`) may use a store with `conditions`. */
export function namespaceAllowed(conditions: readonly StoreCondition[] | undefined, ns: string, labels: Readonly<Record<string, string>>): boolean {
  if (conditions === undefined || conditions.length === 0) return true;
  const withName = { ...labels, "kubernetes.io/metadata.name": ns };
  return conditions.some((c) =>
    (c.namespaceSelector !== undefined && selectorMatches(c.namespaceSelector, withName)) ||
    (c.namespaces ?? []).includes(ns) ||
    (c.namespaceRegexes ?? []).some((r) => regexMatches(r, ns)));
}
