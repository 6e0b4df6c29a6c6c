/**
 * Merging several kubeconfig files the way kubectl does for a `KUBECONFIG`
 * list: for every cluster, user and context name, the first file that
 * defines it wins (later files never change it); `current-context` comes
 * from the first file that sets one. Files are given in list order.
 */
import type { Entry, KubeconfigFile } from "./document.js";

/** Several kubeconfig files seen as one. */
export interface MergedKubeconfig {
  /** The files merged, in precedence order. */
  readonly files: readonly string[];
  readonly clusters: ReadonlyMap<string, Entry>;
  readonly users: ReadonlyMap<string, Entry>;
  readonly contexts: ReadonlyMap<string, Entry>;
  readonly currentContext: string | undefined;
}

function firstWins(target: Map<string, Entry>, list: readonly Entry[]): void {
  for (const entry of list) if (!target.has(entry.name)) target.set(entry.name, entry);
}

/** Merge parsed files, first file winning per key (kubectl's rule). */
export function mergeKubeconfigs(files: readonly KubeconfigFile[]): MergedKubeconfig {
  const clusters = new Map<string, Entry>();
  const users = new Map<string, Entry>();
  const contexts = new Map<string, Entry>();
  let currentContext: string | undefined;
  for (const file of files) {
    firstWins(clusters, file.clusters);
    firstWins(users, file.users);
    firstWins(contexts, file.contexts);
    currentContext ??= file.currentContext;
  }
  return { files: files.map((f) => f.path), clusters, users, contexts, currentContext };
}

/**
 * The files of a `KUBECONFIG` value in order: split on `:`, empty entries
 * and repeats dropped (kubectl keeps the first occurrence).
 */
export function kubeconfigList(value: string | undefined): string[] {
  const out: string[] = [];
  for (const path of (value ?? "").split(":")) if (path !== "" && !out.includes(path)) out.push(path);
  return out;
}
