/**
 * The objects of the "many Syncs" benchmark: `sources` small repositories
 * (Git over `file://` in the environment's git root), each with
 * `syncsPerSource` directories of `objects` ConfigMaps, one GitSource per
 * repository and one Sync per directory, all in one namespace. ConfigMap
 * names are unique across the whole set (`configmap-0000`, …), so no two
 * Syncs manage the same object.
 */
import { rmSync } from "node:fs";
import type { KubeClient } from "../../src/kube/index.js";
import { applyCrdFiles, crdFile } from "../../test/support/crds.js";
import { createRepo } from "../../test/support/git.js";
import type { TestRepo } from "../../test/support/git.js";

/** Sizes of a run. */
export interface ManySizes {
  readonly sources: number;
  readonly syncsPerSource: number;
  readonly objects: number;
}

export const GITOPS = "/apis/gitops.sigil.dev/v1alpha1";
const API_VERSION = "gitops.sigil.dev/v1alpha1";
/** Long intervals: nothing but the operator's start makes a reconcile during the measure. */
const INTERVAL = "1h";

function configMap(n: number, source: number, dir: number): string {
  const name = `configmap-${String(n).padStart(4, "0")}`;
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels:\n    source: s${source}\n    dir: d${dir}\ndata:\n  index: "${n}"\n  settings.yaml: |\n    level: info\n    replicas: ${n % 7}\n`;
}

/** Create the repositories; returns them with a clean-up. */
export function createRepos(sizes: ManySizes, prefix: string): { repos: TestRepo[]; cleanup: () => void } {
  const repos: TestRepo[] = [];
  let n = 0;
  for (let s = 0; s < sizes.sources; s++) {
    const files: Record<string, string> = {};
    for (let d = 0; d < sizes.syncsPerSource; d++) {
      for (let i = 0; i < sizes.objects; i++) files[`app-${d}/cm-${i}.yaml`] = configMap(n++, s, d);
    }
    repos.push(createRepo(`${prefix}-s${s}`, files));
  }
  return { repos, cleanup: () => { for (const r of repos) rmSync(r.path, { recursive: true, force: true }); } };
}

/** The Sync that manages each ConfigMap, by the ConfigMap's name (the numbering of {@link createRepos}). */
export function ownersOf(sizes: ManySizes): Map<string, string> {
  const owners = new Map<string, string>();
  let n = 0;
  for (let s = 0; s < sizes.sources; s++) {
    for (let d = 0; d < sizes.syncsPerSource; d++) {
      for (let i = 0; i < sizes.objects; i++) owners.set(`configmap-${String(n++).padStart(4, "0")}`, `sync-${s}-${d}`);
    }
  }
  return owners;
}

/** Drop the Syncs' finalizers (the operator is stopped), so that deleting the namespace does not wait for it. */
export async function releaseSyncs(client: KubeClient, ns: string): Promise<void> {
  const page = await client.list<SyncItem>(`${GITOPS}/namespaces/${ns}/syncs`);
  for (const s of page.items) await client.patch(`${GITOPS}/namespaces/${ns}/syncs/${s.metadata.name}`, { metadata: { finalizers: null } }, "merge");
}

/** Install the CRDs and create the GitSources and Syncs in `ns` (already there). */
export async function createSyncs(client: KubeClient, repos: readonly TestRepo[], sizes: ManySizes, ns: string): Promise<number> {
  await applyCrdFiles(client, ["gitops.sigil.dev_gitsources.yaml", "gitops.sigil.dev_syncs.yaml"].map(crdFile), "sigil-bench");
  let syncs = 0;
  for (const [s, repo] of repos.entries()) {
    const source = `source-${s}`;
    await client.create(`${GITOPS}/namespaces/${ns}/gitsources`, { apiVersion: API_VERSION, kind: "GitSource", metadata: { name: source }, spec: { url: repo.fileUrl, ref: { branch: "main" }, interval: INTERVAL } });
    for (let d = 0; d < sizes.syncsPerSource; d++) {
      const spec = { sourceRef: { kind: "GitSource", name: source }, path: `app-${d}`, interval: INTERVAL, timeout: "5m", prune: true };
      await client.create(`${GITOPS}/namespaces/${ns}/syncs`, { apiVersion: API_VERSION, kind: "Sync", metadata: { name: `sync-${s}-${d}` }, spec });
      syncs++;
    }
  }
  return syncs;
}

interface SyncItem {
  metadata: { name: string };
  status?: { lastAppliedRevision?: string; conditions?: { type: string; status: string; reason?: string }[] };
}

/** Names of the Syncs in `ns` that are Ready at a revision, and how many there are. */
export async function readySyncs(client: KubeClient, ns: string): Promise<{ ready: Set<string>; total: number }> {
  const items: SyncItem[] = [];
  let cont: string | undefined;
  do {
    const page = await client.list<SyncItem>(`${GITOPS}/namespaces/${ns}/syncs`, { limit: "500", ...(cont === undefined ? {} : { continue: cont }) });
    items.push(...page.items);
    cont = page.continue;
  } while (cont !== undefined && cont !== "");
  const ready = items.filter((s) => s.status?.lastAppliedRevision !== undefined && s.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true);
  return { ready: new Set(ready.map((s) => s.metadata.name)), total: items.length };
}
