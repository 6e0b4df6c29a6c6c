/**
 * Writing the `sops` metadata mapping exactly as sops 3.13.2 does
 * (docs/formats.md#a10-metadata): keys sorted bytewise at every level, flat lists for one key
 * group, `key_groups` (with `hc_vault` and `age` always present) for more,
 * `aws_profile` always on kms entries, optional fields omitted when empty.
 */
import { TreeMap } from "../tree/model.js";
import type { MapItem, TreeValue } from "../tree/model.js";
import { RULE_FIELDS } from "../tree/rules.js";
import { KEY_FIELDS, KEY_TYPES } from "./model.js";
import type { KeyGroup, KeyType, MasterKey, SopsMetadata } from "./model.js";

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** A mapping from plain entries, sorted as Go's `sort.Strings` sorts. */
function sortedMap(entries: [string, TreeValue][]): TreeMap {
  const items: MapItem[] = entries.sort((x, y) => byteOrder(x[0], y[0])).map(([key, value]) => ({ key, value }));
  return new TreeMap(items);
}

/** Fields omitted when empty; everything else is always written. */
const OMIT_EMPTY = new Set(["role", "context"]);

function keyEntry(key: MasterKey): TreeMap {
  const entries: [string, TreeValue][] = [["enc", key.enc]];
  if (key.type !== "age") entries.push(["created_at", key.createdAt ?? ""]);
  for (const name of KEY_FIELDS[key.type]) {
    const v = key.fields[name];
    if (typeof v === "object") {
      const ctx = Object.entries(v);
      if (ctx.length > 0) entries.push([name, sortedMap(ctx)]);
    } else if (!(OMIT_EMPTY.has(name) && (v === undefined || v === ""))) entries.push([name, v ?? ""]);
  }
  return sortedMap(entries);
}

function keysOfType(group: KeyGroup, type: KeyType): TreeValue[] {
  return group.filter((k) => k.type === type).map(keyEntry);
}

function groupEntries(group: KeyGroup, always: readonly KeyType[]): [string, TreeValue][] {
  const out: [string, TreeValue][] = [];
  for (const type of KEY_TYPES) {
    const keys = keysOfType(group, type);
    if (keys.length > 0 || always.includes(type)) out.push([type, keys]);
  }
  return out;
}

/** The metadata as the mapping stored under `sops` (before any flattening). */
export function metadataToTree(md: SopsMetadata): TreeMap {
  const entries: [string, TreeValue][] = [];
  if (md.keyGroups.length === 1) entries.push(...groupEntries(md.keyGroups[0] ?? [], []));
  else if (md.keyGroups.length > 1) {
    entries.push(["key_groups", md.keyGroups.map((g) => sortedMap(groupEntries(g, ["hc_vault", "age"])))]);
  }
  if (md.shamirThreshold > 0) entries.push(["shamir_threshold", BigInt(md.shamirThreshold)]);
  entries.push(["lastmodified", md.lastModified], ["mac", md.mac], ["version", md.version]);
  for (const f of RULE_FIELDS) {
    const v = md.rules[f];
    if (v !== undefined && v !== "") entries.push([f, v]);
  }
  if (md.macOnlyEncrypted) entries.push(["mac_only_encrypted", true]);
  return sortedMap(entries);
}
