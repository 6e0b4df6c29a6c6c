/**
 * Where the certificate and the controller are: `--cert` (a file, a
 * `file://` URL or an http(s) URL), `--controller-url` (Sigil: a direct
 * address), or the service `--controller-namespace`/`--controller-name`
 * through the API server of the kubeconfig.
 */
import { fileURLToPath } from "node:url";
import { SigilError } from "../../../core/index.js";
import type { CliContext } from "../../context.js";
import { directControllerApi, serviceProxyControllerApi } from "./controller.js";
import type { ControllerApi } from "./controller.js";
import type { HttpClient } from "./http.js";
import { readUserFile } from "../../shared/index.js";
import { apiClient, contextNamespace } from "./kube.js";
import type { SealFlags } from "./options.js";

/** What the seal command gets injected. */
export interface SealDeps {
  readonly http: HttpClient;
  readonly now: () => Date;
}

/** True when `value` names a local file rather than a URL (a one-letter scheme is a Windows drive). */
function isFilename(value: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
  return scheme === undefined || scheme.length === 1;
}

/**
 * The controller the flags name.
 * @throws SigilError `config.invalid` when neither `--controller-url` nor a kubeconfig is available.
 */
export async function controllerFor(flags: SealFlags, ctx: CliContext, deps: SealDeps): Promise<ControllerApi> {
  if (flags.controllerUrl !== undefined && flags.controllerUrl !== "") return directControllerApi(flags.controllerUrl, deps.http);
  return serviceProxyControllerApi(await apiClient(flags, ctx.env), flags.controllerNamespace, flags.controllerName);
}

/**
 * The certificate PEM text and where it came from.
 * @throws SigilError `input.not_found` for a missing file; `sealed.fetch_failed` when a URL or the controller does not answer 200; `input.invalid` for an unsupported URL scheme.
 */
export async function openCertificate(flags: SealFlags, ctx: CliContext, deps: SealDeps): Promise<{ pem: string; source: string }> {
  const cert = flags.cert;
  if (cert === undefined || cert === "") {
    const api = await controllerFor(flags, ctx, deps);
    return { pem: await api.certificate(), source: api.description };
  }
  if (isFilename(cert)) return { pem: (await readUserFile(cert, "--cert")).toString("utf8"), source: cert };
  if (cert.startsWith("file:")) return { pem: (await readUserFile(fileURLToPath(cert), "--cert")).toString("utf8"), source: cert };
  if (!/^https?:\/\//i.test(cert)) throw new SigilError("input.invalid", "--cert must be a file, a file:// url or an http(s) url", { subject: cert });
  const res = await deps.http({ method: "GET", url: cert });
  if (res.status !== 200) throw new SigilError("sealed.fetch_failed", `cannot fetch the certificate: http status ${res.status}`, { subject: cert });
  return { pem: res.body.toString("utf8"), source: cert };
}

/** The namespace to fill in and whether `--namespace` set it explicitly (kubeseal's clientConfig.Namespace()). */
export function resolveNamespace(flags: SealFlags, ctx: CliContext): Promise<{ namespace: string; explicit: boolean }> {
  if (flags.namespace !== undefined && flags.namespace !== "") return Promise.resolve({ namespace: flags.namespace, explicit: true });
  // A throw inside the executor becomes the rejection.
  return new Promise((resolve) => {
    resolve({ namespace: contextNamespace(flags, ctx.env) ?? "default", explicit: false });
  });
}
