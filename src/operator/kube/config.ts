/**
 * Finding the cluster: an explicit kubeconfig, `$KUBECONFIG`, the in-cluster
 * service account, or `~/.kube/config`, in that order.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { SigilError } from "../../core/index.js";

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

/** Which source was used, for the start-up log line. */
export interface LoadedKubeConfig {
  readonly config: KubeConfig;
  readonly source: string;
}

/**
 * Load the kubeconfig from the first source that exists.
 * @throws SigilError `config.invalid` naming the file when it does not load, or when no source exists.
 */
export function loadKubeConfig(source: KubeConfigSource): LoadedKubeConfig {
  const fromEnv = source.env[KUBECONFIG_ENV]?.split(":").find((p) => p !== "");
  const file = source.path ?? fromEnv;
  const kc = new KubeConfig();
  if (file !== undefined) return { config: loadFile(kc, file), source: file };
  if ((source.env[KUBERNETES_SERVICE_HOST_ENV] ?? "") !== "") {
    kc.loadFromCluster();
    return { config: kc, source: "in-cluster service account" };
  }
  const home = join(source.homedir, ".kube", "config");
  if (existsSync(home)) return { config: loadFile(kc, home), source: home };
  throw new SigilError("config.invalid", `no kubeconfig: pass --kubeconfig, set ${KUBECONFIG_ENV}, run in a pod, or create ${home}`);
}

function loadFile(kc: KubeConfig, file: string): KubeConfig {
  try {
    kc.loadFromFile(file);
  } catch (cause) {
    throw new SigilError("config.invalid", "the kubeconfig does not load", { subject: file, cause });
  }
  if (kc.getCurrentCluster() === null) throw new SigilError("config.invalid", "the kubeconfig has no current cluster", { subject: file });
  return kc;
}
