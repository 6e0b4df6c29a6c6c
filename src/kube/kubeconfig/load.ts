/**
 * Finding the cluster with kubectl's rules, for the CLI and the operator alike:
 *
 * 1. `--kubeconfig` (one file, which must exist), else
 * 2. every existing file of `$KUBECONFIG` (colon-separated), merged with the
 *    first file winning per key (`merge.ts`), else `~/.kube/config`;
 * 3. `--context` picks the context (default: `current-context`);
 * 4. when neither an explicit file nor any kubeconfig file exists and the
 *    process runs in a pod, the in-cluster service account.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SigilError } from "../../core/index.js";
import { connectionFor, defaultConnectionDeps, resolveContext, staticConnectionFor } from "./connection.js";
import type { ConnectionDeps, KubeConnection } from "./connection.js";
import { parseKubeconfigFile } from "./document.js";
import { defaultReadFile } from "./document.js";
import type { ReadFile } from "./document.js";
import { inCluster, inClusterConnection } from "./in-cluster.js";
import { kubeconfigList, mergeKubeconfigs } from "./merge.js";
import type { MergedKubeconfig } from "./merge.js";

/** Colon-separated kubeconfig paths, merged. */
export const KUBECONFIG_ENV = "KUBECONFIG";

/** Where {@link loadKubeConfig} looks. */
export interface KubeConfigSource {
  /** `--kubeconfig`, when given. */
  readonly path?: string | undefined;
  /** `--context`, when given. */
  readonly context?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
  /** File reads, processes and clock (default: the real ones). */
  readonly deps?: Partial<ConnectionDeps> & { readonly exists?: (path: string) => boolean };
}

/** The connection, and which source gave it (for the start-up log line). */
export interface LoadedKubeConfig {
  readonly connection: KubeConnection;
  /** The file(s) or "in-cluster service account". */
  readonly source: string;
  /** The context used; undefined in-cluster. */
  readonly context: string | undefined;
}

/**
 * The kubeconfig files kubectl would read, merged, or undefined when there
 * is none (no `--kubeconfig`, no existing `$KUBECONFIG` file, no `~/.kube/config`).
 * @throws SigilError `config.invalid` when `--kubeconfig` does not exist or a file does not parse.
 */
export function findKubeconfig(source: KubeConfigSource): MergedKubeconfig | undefined {
  const read: ReadFile = source.deps?.read ?? defaultConnectionDeps().read;
  const exists = source.deps?.exists ?? existsSync;
  if (source.path !== undefined && source.path !== "") {
    if (!exists(source.path)) throw new SigilError("config.invalid", "the kubeconfig given by --kubeconfig does not exist", { subject: source.path });
    return mergeKubeconfigs([parseKubeconfigFile(source.path, read)]);
  }
  const listed = kubeconfigList(source.env[KUBECONFIG_ENV]);
  const candidates = listed.length > 0 ? listed : [join(source.homedir, ".kube", "config")];
  const files = candidates.filter((p) => exists(p)).map((p) => parseKubeconfigFile(p, read));
  return files.length === 0 ? undefined : mergeKubeconfigs(files);
}

/**
 * Load the connection (see the module comment for the order).
 * @throws SigilError `config.invalid` naming the file(s) when nothing is found, a file does not load, the context does not exist, or named files cannot be read; `kube.unauthorized` when an exec plugin fails.
 */
export async function loadKubeConfig(source: KubeConfigSource): Promise<LoadedKubeConfig> {
  const deps: ConnectionDeps = { ...defaultConnectionDeps(), env: source.env, ...source.deps };
  const merged = findKubeconfig(source);
  if (merged === undefined || (merged.contexts.size === 0 && source.path === undefined && inCluster(source.env))) {
    if (inCluster(source.env)) return { connection: inClusterConnection(source.env, deps.read, deps.now), source: "in-cluster service account", context: undefined };
    const home = join(source.homedir, ".kube", "config");
    throw new SigilError("config.invalid", `no kubeconfig: pass --kubeconfig, set ${KUBECONFIG_ENV}, run in a pod, or create ${home}`);
  }
  const resolved = resolveContext(merged, source.context === "" ? undefined : source.context);
  return { connection: await connectionFor(resolved, deps), source: merged.files.join(":"), context: resolved.name };
}

/**
 * A connection from one kubeconfig file's current context.
 * @throws SigilError as {@link loadKubeConfig}.
 */
export async function connectionFromKubeconfig(path: string, deps: Partial<ConnectionDeps> = {}): Promise<KubeConnection> {
  return (await loadKubeConfig({ path, env: process.env, homedir: "/", deps: { ...deps, exists: () => true } })).connection;
}

/**
 * The same, synchronously, for users that need no plugin: undefined when
 * the current context's user has an `exec` plugin or an `auth-provider`.
 * @throws SigilError as {@link loadKubeConfig}.
 */
export function kubeconfigConnection(path: string, read: ReadFile = defaultReadFile): KubeConnection | undefined {
  const merged = mergeKubeconfigs([parseKubeconfigFile(path, read)]);
  return staticConnectionFor(resolveContext(merged), { read, now: Date.now });
}
