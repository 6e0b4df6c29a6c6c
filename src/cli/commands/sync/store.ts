/**
 * Where `sigil sync --once` keeps its inventory between runs: a ConfigMap
 * `sigil-sync-<hash of source and path>` in the target namespace, key
 * `inventory.json` (docs/inventory.md). Only names and versions, never a value.
 */
import { createHash } from "node:crypto";
import { SigilError } from "../../../core/index.js";
import { jsonEqual, resourcePath } from "../../../kube/index.js";
import type { KubeClient, ResourceType } from "../../../kube/index.js";
import type { InventoryStatus } from "../../../reconcile/index.js";
import { readInventory } from "../../../reconcile/index.js";

const CONFIGMAPS: ResourceType = { group: "", version: "v1", plural: "configmaps" };
export const INVENTORY_KEY = "inventory.json";

interface ConfigMap {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: { name: string; namespace: string; labels?: Record<string, string>; resourceVersion?: string };
  data?: Record<string, string>;
}

/** The ConfigMap name for a source and path. */
export function inventoryName(source: string, path: string): string {
  return `sigil-sync-${createHash("sha256").update(`${source}\0${path}`).digest("hex").slice(0, 12)}`;
}

/**
 * The stored inventory (empty when there is none yet).
 * @throws SigilError `inventory.unsupported_version` / `input.invalid` for one that cannot be trusted; `kube.*`.
 */
export async function loadInventory(client: KubeClient, namespace: string, name: string): Promise<InventoryStatus> {
  const cm = await client.get<ConfigMap>(resourcePath(CONFIGMAPS, { namespace, name }));
  const text = cm?.data?.[INVENTORY_KEY];
  if (text === undefined) return readInventory(undefined);
  try {
    return readInventory(JSON.parse(text));
  } catch (err) {
    if (err instanceof SigilError) throw new SigilError(err.code, err.message, { subject: `ConfigMap/${namespace}/${name}`, cause: err });
    throw new SigilError("input.invalid", "the stored inventory is not JSON", { subject: `ConfigMap/${namespace}/${name}`, cause: err });
  }
}

/**
 * Store `inventory` (create or replace).
 * @throws SigilError `kube.*`.
 */
export async function saveInventory(client: KubeClient, namespace: string, name: string, inventory: InventoryStatus): Promise<void> {
  const path = resourcePath(CONFIGMAPS, { namespace, name });
  const body: ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "sigil" } }, data: { [INVENTORY_KEY]: JSON.stringify(inventory) } };
  const live = await client.get<ConfigMap>(path);
  if (live === undefined) await client.create(resourcePath(CONFIGMAPS, { namespace }), body);
  else await client.replace(path, { ...body, metadata: { ...body.metadata, ...(live.metadata.resourceVersion === undefined ? {} : { resourceVersion: live.metadata.resourceVersion }) } });
}

/** True when two inventories hold the same entries in the same order (both come sorted from `inventoryOf` / the store). */
export function sameInventory(a: InventoryStatus, b: InventoryStatus): boolean {
  return a.version === b.version && jsonEqual(a.entries, b.entries);
}
