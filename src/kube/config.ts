/**
 * Finding the cluster: an explicit kubeconfig, `$KUBECONFIG`, the in-cluster
 * service account, or `~/.kube/config`, in that order.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SigilError } from "../core/index.js";
import { connectionFromKubeconfig, inClusterConnection } from "./connection.js";
import type { KubeConnection } from "./connection.js";

/** Colon-separated kubeconfig paths; the first one is used. */
export const KUBECONFIG_ENV = "KUBECONFIG";
/** Set inside a pod; selects the in-cluster configuration. */
export const KUBERNETES_SERVICE_HOST_ENV = "KUBERNETES_SERVICE_HOST";

/** Where {@link loadKubeConfig} looks. */
export interface KubeConfigSource {
  /** `--kubeconfig`, when given. */
  readonly path?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
}

/** The connection, and which source gave it (for the start-up log line). */
export interface LoadedKubeConfig {
  readonly connection: KubeConnection;
  readonly source: string;
}

/**
 * Load the connection from the first source that exists.
 * @throws SigilError `config.invalid` naming the file when it does not load, or when no source exists.
 */
export async function loadKubeConfig(source: KubeConfigSource): Promise<LoadedKubeConfig> {
  const fromEnv = source.env[KUBECONFIG_ENV]?.split(":").find((p) => p !== "");
  const file = source.path ?? fromEnv;
  if (file !== undefined) return { connection: await connectionFromKubeconfig(file), source: file };
  if ((source.env[KUBERNETES_SERVICE_HOST_ENV] ?? "") !== "") return { connection: inClusterConnection(source.env), source: "in-cluster service account" };
  const home = join(source.homedir, ".kube", "config");
  if (existsSync(home)) return { connection: await connectionFromKubeconfig(home), source: home };
  throw new SigilError("config.invalid", `no kubeconfig: pass --kubeconfig, set ${KUBECONFIG_ENV}, run in a pod, or create ${home}`);
}
