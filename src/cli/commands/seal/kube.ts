/**
 * The kubeconfig, read the way kubectl (and kubeseal) find it: `--kubeconfig`,
 * else the first existing file of `$KUBECONFIG`, else `~/.kube/config`.
 * Used for the default namespace and to reach the controller through the
 * API server's service proxy.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { SigilError } from "../../../core/index.js";

/** Environment variable naming kubeconfig files (colon-separated). */
export const KUBECONFIG_ENV = "KUBECONFIG";
/** The home directory, for `~/.kube/config`. */
export const HOME_ENV = "HOME";

export interface KubeSettings {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

/**
 * client-node's `KubeConfig`, imported on first use: importing the package
 * costs about 85 MB of memory, and every `sigil` command (the operator
 * included, ADR 0003) would pay it at start when only `seal` needs it.
 */
async function kubeConfigClass(): Promise<typeof KubeConfig> {
  return (await import("@kubernetes/client-node")).KubeConfig;
}

/** The kubeconfig file to use, or undefined when there is none. */
export function kubeconfigPath(settings: KubeSettings, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (settings.kubeconfig !== undefined && settings.kubeconfig !== "") return settings.kubeconfig;
  for (const file of (env[KUBECONFIG_ENV] ?? "").split(":")) if (file !== "" && existsSync(file)) return file;
  const home = env[HOME_ENV];
  const fallback = home === undefined ? undefined : join(home, ".kube", "config");
  return fallback !== undefined && existsSync(fallback) ? fallback : undefined;
}

/**
 * Load the kubeconfig, or undefined when there is none.
 * @throws SigilError `config.invalid` naming the file when it cannot be read or the context does not exist.
 */
export async function loadKubeConfig(settings: KubeSettings, env: Readonly<Record<string, string | undefined>>): Promise<KubeConfig | undefined> {
  const path = kubeconfigPath(settings, env);
  if (path === undefined) return undefined;
  const kc = new (await kubeConfigClass())();
  try {
    kc.loadFromFile(path);
  } catch (cause) {
    throw new SigilError("config.invalid", `cannot read the kubeconfig${yamlProblem(cause)}`, { subject: path, cause: withoutExcerpt(cause) });
  }
  if (settings.context !== undefined && settings.context !== "") {
    if (kc.getContextObject(settings.context) === null) {
      throw new SigilError("config.invalid", `context '${settings.context}' is not in the kubeconfig`, { subject: path });
    }
    kc.setCurrentContext(settings.context);
  }
  return kc;
}

interface YamlException {
  readonly name: "YAMLException";
  readonly reason?: unknown;
  readonly mark?: { readonly line?: unknown; readonly column?: unknown };
}

function isYamlException(err: unknown): err is YamlException {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === "YAMLException";
}

/** js-yaml's reason and position (its message quotes the kubeconfig's lines, tokens and keys included). */
function yamlProblem(err: unknown): string {
  if (!isYamlException(err)) return "";
  const reason = typeof err.reason === "string" ? err.reason : "invalid yaml";
  const { line, column } = err.mark ?? {};
  return `: ${reason}${typeof line === "number" && typeof column === "number" ? ` at line ${line + 1}, column ${column + 1}` : ""}`;
}

/** The cause to keep: none for a YAML error (see `yamlProblem`), else the error itself. */
function withoutExcerpt(err: unknown): unknown {
  return isYamlException(err) ? undefined : err;
}

/** The namespace of the current context, if it sets one. */
export function contextNamespace(kc: KubeConfig | undefined): string | undefined {
  if (kc === undefined) return undefined;
  const ns = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return ns === undefined || ns === "" ? undefined : ns;
}

/**
 * client-node refuses an `http://` server unless TLS verification is
 * skipped; client-go (kubectl, kubeseal) just talks plain HTTP to it. There
 * is no TLS to verify on plain HTTP, so mark such clusters accordingly.
 */
async function plainHttpAware(kc: KubeConfig): Promise<KubeConfig> {
  if (kc.getCurrentCluster()?.server.startsWith("http:") !== true) return kc;
  const copy = new (await kubeConfigClass())();
  copy.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.server.startsWith("http:") ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.getCurrentContext(),
  });
  return copy;
}

/** The API server base URL and the request options (TLS, auth) for it. */
export interface ApiTarget {
  readonly server: string;
  readonly options: RequestOptions;
}

/**
 * Resolve how to call the API server.
 * @throws SigilError `config.invalid` when there is no kubeconfig or no current cluster.
 */
export async function apiTarget(kc: KubeConfig | undefined): Promise<ApiTarget> {
  const cluster = kc?.getCurrentCluster();
  if (kc === undefined || cluster === null || cluster === undefined) {
    throw new SigilError("config.invalid", "no kubeconfig with a current cluster: pass --cert, --controller-url or --kubeconfig");
  }
  const options: RequestOptions = {};
  try {
    await (await plainHttpAware(kc)).applyToHTTPSOptions(options);
  } catch (cause) {
    throw new SigilError("config.invalid", "cannot use the kubeconfig's credentials", { subject: cluster.server, cause });
  }
  return { server: cluster.server.replace(/\/+$/, ""), options };
}
