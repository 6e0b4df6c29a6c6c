/**
 * The inventory: which objects a Sync applied, so it can prune what left
 * Git. Pure data and pure functions (docs/inventory.md): no I/O, no values,
 * only kinds, names and API versions.
 */
import { SigilError } from "../../core/index.js";
import type { InventoryEntry, InventoryStatus } from "../api/types.js";

/** The format version this module reads and writes. */
export const INVENTORY_VERSION = 1;

/** What an object is, as the inventory names it. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Empty for cluster-scoped objects. */
  readonly namespace: string;
}

/** The group of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** `<namespace>_<name>_<group>_<Kind>`. */
export function entryId(ref: ObjectRef): string {
  return `${ref.namespace}_${ref.name}_${groupOf(ref.apiVersion)}_${ref.kind}`;
}

/** The entry for an object. */
export function entryOf(ref: ObjectRef): InventoryEntry {
  return { id: entryId(ref), v: ref.apiVersion };
}

/**
 * The object an entry names. Only a name may hold `_` (some kinds' names may, such as RBAC objects'; namespaces,
 * groups and kinds never do), so the name is everything between the first and the last two separators.
 * @throws SigilError `input.invalid` for an id that is not `<ns>_<name>_<group>_<Kind>`.
 */
export function refOf(entry: InventoryEntry): ObjectRef {
  const parts = entry.id.split("_");
  const [namespace, group, kind] = [parts[0], parts.at(-2), parts.at(-1)];
  const name = parts.slice(1, -2).join("_");
  if (parts.length < 4 || namespace === undefined || name === "" || group === undefined || kind === undefined || kind === "") {
    throw new SigilError("input.invalid", `inventory entry '${entry.id.slice(0, 300)}' is not <namespace>_<name>_<group>_<Kind>`);
  }
  const version = entry.v.includes("/") ? entry.v.slice(entry.v.indexOf("/") + 1) : entry.v;
  return { apiVersion: group === "" ? version : `${group}/${version}`, kind, name, namespace };
}

/** An inventory of `refs`: sorted by id, no duplicates. */
export function inventoryOf(refs: Iterable<ObjectRef>): InventoryStatus {
  const byId = new Map<string, InventoryEntry>();
  for (const ref of refs) byId.set(entryId(ref), entryOf(ref));
  return { version: INVENTORY_VERSION, entries: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

/**
 * Check a stored inventory before trusting it for pruning.
 * @throws SigilError `inventory.unsupported_version` for another version; `input.invalid` for a malformed one.
 */
export function readInventory(value: unknown): InventoryStatus {
  if (value === undefined || value === null) return { version: INVENTORY_VERSION, entries: [] };
  if (typeof value !== "object" || Array.isArray(value)) throw new SigilError("input.invalid", "the inventory is not an object");
  const inv = value as { version?: unknown; entries?: unknown };
  if (inv.version !== INVENTORY_VERSION) throw new SigilError("inventory.unsupported_version", `inventory version ${String(inv.version)} is not ${INVENTORY_VERSION}; refusing to prune with it`);
  if (!Array.isArray(inv.entries)) throw new SigilError("input.invalid", "the inventory has no entries list");
  const entries = inv.entries.map((e: unknown) => {
    const rec = e as { id?: unknown; v?: unknown } | null;
    if (rec === null || typeof rec.id !== "string" || typeof rec.v !== "string") throw new SigilError("input.invalid", "an inventory entry lacks id or v");
    return { id: rec.id, v: rec.v };
  });
  for (const e of entries) refOf(e);
  return { version: INVENTORY_VERSION, entries };
}

/** The prune set: entries of `old` whose id is not in `next`, in reverse order of `old` (dependents first is not guaranteed; Namespaces last). */
export function diff(old: InventoryStatus, next: InventoryStatus): InventoryEntry[] {
  const keep = new Set(next.entries.map((e) => e.id));
  const gone = old.entries.filter((e) => !keep.has(e.id));
  const rank = (e: InventoryEntry): number => (e.id.endsWith("__Namespace") ? 2 : e.id.endsWith("_apiextensions.k8s.io_CustomResourceDefinition") ? 1 : 0);
  return gone.sort((a, b) => rank(a) - rank(b));
}

/** The inventory after a prune: `next` plus every entry whose delete failed (to retry), or that prune must keep. */
export function withRetained(next: InventoryStatus, retained: readonly InventoryEntry[]): InventoryStatus {
  return inventoryOf([...next.entries, ...retained].map(refOf));
}
