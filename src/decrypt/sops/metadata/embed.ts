/**
 * Where each store keeps the metadata (docs/formats.md#a11-stores): under a `sops` key (YAML,
 * JSON, binary), as a flattened `[sops]` section with `\n` escaped (INI), or
 * as flattened top-level `sops_*` keys (dotenv).
 */
import { SigilError } from "../../../core/index.js";
import { unflattenItems, flattenMap } from "../stores/flatten.js";
import { TreeMap } from "../tree/model.js";
import type { Branches, MapItem } from "../tree/model.js";

/** The metadata placement of a store. */
export type MetadataLayout = "nested" | "section" | "prefixed";

export const METADATA_KEY = "sops";
const PREFIX = "sops_";

function takeNested(branches: Branches, subject: string | undefined): TreeMap | undefined {
  let found: TreeMap | undefined;
  branches.forEach((branch, bi) => {
    const keep: MapItem[] = [];
    for (const item of branch.items) {
      if (item.key !== METADATA_KEY) {
        keep.push(item);
        continue;
      }
      if (bi !== 0) continue;
      if (found !== undefined) throw new SigilError("decrypt.invalid_metadata", "the file has two 'sops' entries", { subject });
      if (!(item.value instanceof TreeMap)) throw new SigilError("decrypt.invalid_metadata", "the 'sops' entry is not a mapping", { subject });
      found = item.value;
    }
    branch.items = keep;
  });
  return found;
}

function takePrefixed(branches: Branches): MapItem[] | undefined {
  const first = branches[0];
  if (first === undefined) return undefined;
  const meta: MapItem[] = [];
  const keep: MapItem[] = [];
  for (const item of first.items) {
    if (typeof item.key === "string" && item.key.startsWith(PREFIX)) meta.push({ key: item.key.slice(PREFIX.length), value: item.value });
    else keep.push(item);
  }
  first.items = keep;
  return meta.length === 0 ? undefined : meta;
}

/**
 * Remove the metadata from `branches` (mutating them) and return it as a
 * nested mapping, or undefined when the file has none.
 * @throws SigilError `decrypt.invalid_metadata` for duplicate or malformed metadata.
 */
export function extractMetadata(branches: Branches, layout: MetadataLayout, subject?: string): TreeMap | undefined {
  if (layout === "prefixed") {
    const flat = takePrefixed(branches);
    return flat === undefined ? undefined : unflattenItems(flat, subject);
  }
  const nested = takeNested(branches, subject);
  if (nested === undefined || layout === "nested") return nested;
  const items = nested.items.map((i): MapItem => (typeof i.value === "string" && typeof i.key === "string" ? { key: i.key, value: i.value.replaceAll("\\n", "\n") } : i));
  return unflattenItems(items, subject);
}

/** True when a plain branch already holds (what looks like) metadata. */
export function hasMetadataKey(branch: TreeMap | undefined, layout: MetadataLayout): boolean {
  if (branch === undefined) return false;
  return branch.items.some((i) => typeof i.key === "string" && (layout === "prefixed" ? i.key.startsWith(PREFIX) : i.key === METADATA_KEY));
}

/**
 * New branches with the metadata embedded for the store's layout.
 * @throws SigilError `decrypt.already_encrypted` when a branch already uses the reserved key or prefix.
 */
export function embedMetadata(branches: Branches, md: TreeMap, layout: MetadataLayout, subject?: string): Branches {
  let extra: MapItem[];
  if (layout === "nested") extra = [{ key: METADATA_KEY, value: md }];
  else if (layout === "prefixed") extra = flattenMap(md, PREFIX);
  else {
    const flat = flattenMap(md, "").map((i): MapItem => (typeof i.value === "string" && typeof i.key === "string" ? { key: i.key, value: i.value.replaceAll("\n", "\\n") } : i));
    extra = [{ key: METADATA_KEY, value: new TreeMap(flat) }];
  }
  return branches.map((b) => {
    if (hasMetadataKey(b, layout)) {
      const what = layout === "prefixed" ? `a key starting with '${PREFIX}'` : `a '${METADATA_KEY}' key`;
      throw new SigilError("decrypt.already_encrypted", `the document already has ${what}, which is reserved for sops metadata`, { subject });
    }
    return new TreeMap([...b.items, ...extra]);
  });
}
