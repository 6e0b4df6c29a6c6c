/**
 * Flattening of nested metadata for the dotenv and INI stores (docs/formats.md#a116-flattening):
 * `parent__map_child`, `parent__list_0`.
 */
import { MAX_NESTING_DEPTH, SigilError } from "../../../core/index.js";
import { Comment, TreeMap, isSeq } from "../tree/model.js";
import type { MapItem, TreeValue } from "../tree/model.js";

const MAP_SEP = "__map_";
const LIST_SEP = "__list_";

function descend(value: TreeValue, key: string, out: MapItem[], seen: Set<string>): void {
  if (value instanceof TreeMap) {
    for (const item of value.items) {
      if (item.key instanceof Comment) continue;
      descend(item.value, key + MAP_SEP + item.key, out, seen);
    }
    return;
  }
  if (isSeq(value)) {
    let i = 0;
    for (const el of value) {
      if (el instanceof Comment) continue;
      descend(el, `${key}${LIST_SEP}${i++}`, out, seen);
    }
    return;
  }
  if (seen.has(key)) throw new SigilError("decrypt.invalid_metadata", `key collision '${key}' while flattening metadata`);
  seen.add(key);
  out.push({ key, value });
}

/** Flatten a mapping; top-level keys get `prefix`. */
export function flattenMap(map: TreeMap, prefix: string): MapItem[] {
  const out: MapItem[] = [];
  const seen = new Set<string>();
  for (const item of map.items) {
    if (item.key instanceof Comment) continue;
    descend(item.value, prefix + item.key, out, seen);
  }
  return out;
}

type Token = { map: string } | { list: number };

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  const re = /__(map|list)_/g;
  let last = 0;
  let kind: "map" | "list" = "map";
  let m: RegExpExecArray | null;
  const push = (end: number): void => {
    const text = path.slice(last, end);
    tokens.push(kind === "map" ? { map: text } : { list: Number.parseInt(text, 10) || 0 });
  };
  while ((m = re.exec(path)) !== null) {
    push(m.index);
    kind = m[1] === "map" ? "map" : "list";
    last = m.index + m[0].length;
  }
  push(path.length);
  return tokens;
}

interface Node {
  value?: { v: TreeValue };
  keys?: Map<string, Node>;
  indices?: Map<number, Node>;
}

function place(root: Node, tokens: Token[], value: TreeValue, key: string): void {
  let node = root;
  for (const t of tokens) {
    if ("map" in t) {
      node.keys ??= new Map();
      const next = node.keys.get(t.map) ?? {};
      node.keys.set(t.map, next);
      node = next;
    } else {
      node.indices ??= new Map();
      const next = node.indices.get(t.list) ?? {};
      node.indices.set(t.list, next);
      node = next;
    }
  }
  if (node.value !== undefined) throw new SigilError("decrypt.invalid_metadata", `duplicate metadata value '${key}'`);
  node.value = { v: value };
}

function convert(node: Node): TreeValue {
  const kinds = Number(node.value !== undefined) + Number((node.keys?.size ?? 0) > 0) + Number((node.indices?.size ?? 0) > 0);
  if (kinds > 1) throw new SigilError("decrypt.invalid_metadata", "metadata entry is both a value and a container (type mismatch)");
  if (node.value !== undefined) return node.value.v;
  if (node.keys !== undefined && node.keys.size > 0) {
    const keys = [...node.keys.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return new TreeMap(keys.map((k) => ({ key: k, value: convert(node.keys?.get(k) ?? {}) })));
  }
  if (node.indices !== undefined && node.indices.size > 0) {
    const n = node.indices.size;
    const out: TreeValue[] = [];
    for (let i = 0; i < n; i++) {
      const child = node.indices.get(i);
      if (child === undefined) throw new SigilError("decrypt.invalid_metadata", "metadata list has missing indices (incomplete list)");
      out.push(convert(child));
    }
    return out;
  }
  return new TreeMap();
}

/**
 * Rebuild nested metadata from flat keys (maps sorted by key, lists indexed from 0).
 * @throws SigilError `decrypt.invalid_metadata` (naming `subject`) for duplicates, type mismatches, gaps, or keys nested deeper than MAX_NESTING_DEPTH.
 */
export function unflattenItems(items: readonly MapItem[], subject?: string): TreeMap {
  try {
    return unflatten(items);
  } catch (err) {
    if (err instanceof SigilError && err.subject === undefined) throw new SigilError(err.code, err.message, { subject });
    throw err;
  }
}

function unflatten(items: readonly MapItem[]): TreeMap {
  const root: Node = {};
  for (const item of items) {
    if (item.key instanceof Comment) continue;
    const tokens = tokenize(item.key);
    if (tokens.length > MAX_NESTING_DEPTH) throw new SigilError("decrypt.invalid_metadata", `a metadata key nests deeper than ${MAX_NESTING_DEPTH} levels`);
    place(root, tokens, item.value, item.key);
  }
  const out = convert(root);
  return out instanceof TreeMap ? out : new TreeMap();
}
