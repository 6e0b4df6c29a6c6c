/**
 * The cluster, for `sigil seal`: the one kubeconfig reader of `src/kube`
 * (kubectl's rules: `--kubeconfig`, else `$KUBECONFIG` merged, else
 * `~/.kube/config`; `--context`), used for the default namespace and to
 * reach the controller through the API server's service proxy.
 */
import { homedir } from "node:os";
import { SigilError } from "../../../core/index.js";
import { HttpKubeClient, findKubeconfig, loadKubeConfig, resolveContext } from "../../../kube/index.js";

/** The home directory, for `~/.kube/config`. */
export const HOME_ENV = "HOME";

export interface KubeSettings {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

function source(settings: KubeSettings, env: Env): { path: string | undefined; context: string | undefined; env: Env; homedir: string } {
  const context = settings.context === "" ? undefined : settings.context;
  const path = settings.kubeconfig === "" ? undefined : settings.kubeconfig;
  return { path, context, env, homedir: env[HOME_ENV] ?? homedir() };
}

/**
 * The namespace of the context in use, or undefined when there is no
 * kubeconfig or the context sets none. Runs no credential plugin.
 * @throws SigilError `config.invalid` naming the file when a kubeconfig does not load or the context does not exist.
 */
export function contextNamespace(settings: KubeSettings, env: Env): string | undefined {
  const src = source(settings, env);
  const merged = findKubeconfig(src);
  if (merged === undefined) return undefined;
  const ns = resolveContext(merged, src.context).context["namespace"];
  return typeof ns === "string" && ns !== "" ? ns : undefined;
}

/**
 * A client for the API server of the kubeconfig.
 * @throws SigilError `config.invalid` when there is no kubeconfig (naming the flags that avoid one), or it does not load.
 */
export async function apiClient(settings: KubeSettings, env: Env): Promise<HttpKubeClient> {
  const src = source(settings, env);
  if (findKubeconfig(src) === undefined) throw new SigilError("config.invalid", "no kubeconfig with a current cluster: pass --cert, --controller-url or --kubeconfig");
  const loaded = await loadKubeConfig(src);
  return new HttpKubeClient(loaded.connection, { userAgent: "sigil-seal" });
}
