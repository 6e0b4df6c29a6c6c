/**
 * Talking to a sealed-secrets controller (bitnami's or Sigil's) the way
 * kubeseal does: through the API server's service proxy
 * (`/api/v1/namespaces/<ns>/services/http:<name>:<port>/proxy/<path>`, port
 * = the service's first port name), or directly at `--controller-url`.
 */
import { SigilError } from "../../../core/index.js";
import type { HttpClient, HttpResponse } from "./http.js";

/** The controller endpoints kubeseal uses (docs/formats.md#b4-controller-keys-and-endpoints). */
export interface ControllerApi {
  /** Where requests go, for messages. */
  readonly description: string;
  /** `GET /v1/cert.pem`. */
  certificate(): Promise<string>;
  /** `POST /v1/verify`: true = 200 (it unseals), false = 409 (it does not). */
  verify(sealedSecretJson: string): Promise<boolean>;
  /** `POST /v1/rotate`: the re-sealed SealedSecret JSON. */
  rotate(sealedSecretJson: string): Promise<string>;
}

/** A short reason from an error response: a Kubernetes Status message, or the status code. */
function reason(res: HttpResponse): string {
  try {
    const status = JSON.parse(res.body.toString("utf8")) as { message?: unknown };
    if (typeof status.message === "string") return `${res.status}: ${status.message.slice(0, 300)}`;
  } catch {
    // not a Status object
  }
  return `http status ${res.status}`;
}

type Call = (method: "GET" | "POST", path: string, body?: string) => Promise<HttpResponse>;

function endpoints(description: string, call: Call): ControllerApi {
  return {
    description,
    async certificate() {
      const res = await call("GET", "/v1/cert.pem");
      if (res.status !== 200) throw new SigilError("sealed.fetch_failed", `cannot fetch certificate: ${reason(res)}`, { subject: description });
      return res.body.toString("utf8");
    },
    async verify(body) {
      const res = await call("POST", "/v1/verify", body);
      if (res.status === 200) return true;
      if (res.status === 409) return false;
      throw new SigilError("sealed.fetch_failed", `cannot validate sealed secret: ${reason(res)}`, { subject: description });
    },
    async rotate(body) {
      const res = await call("POST", "/v1/rotate", body);
      if (res.status === 409) throw new SigilError("sealed.verify_failed", "unable to rotate secret: the controller cannot decrypt it", { subject: description });
      if (res.status !== 200) throw new SigilError("sealed.fetch_failed", `cannot re-encrypt secret: ${reason(res)}`, { subject: description });
      return res.body.toString("utf8");
    },
  };
}

/** The controller at a direct address such as `http://127.0.0.1:8080`. */
export function directControllerApi(baseUrl: string, http: HttpClient): ControllerApi {
  const base = baseUrl.replace(/\/+$/, "");
  return endpoints(base, (method, path, body) => http({ method, url: `${base}${path}`, body }));
}

/** What the service proxy needs of the Kubernetes client (`HttpKubeClient.raw`). */
export interface ProxyClient {
  raw(method: "GET" | "POST", path: string, body?: { readonly text: string; readonly type: string }): Promise<HttpResponse>;
}

/**
 * The controller behind service `namespace/name`, through the API server.
 * The service is looked up once, on the first call, for its first port name.
 */
export function serviceProxyControllerApi(client: ProxyClient & { readonly server: URL }, namespace: string, name: string): ControllerApi {
  const description = `service ${namespace}/${name} via ${client.server.origin}`;
  const servicePath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/services`;
  let proxyBase: Promise<string> | undefined;
  const base = async (): Promise<string> => {
    const res = await client.raw("GET", `${servicePath}/${encodeURIComponent(name)}`);
    if (res.status !== 200) {
      throw new SigilError(
        "sealed.fetch_failed",
        `cannot get sealed secret service: ${reason(res)}; use --controller-name and --controller-namespace to name the controller`,
        { subject: description },
      );
    }
    const service = JSON.parse(res.body.toString("utf8")) as { spec?: { ports?: { name?: string }[] } };
    const port = service.spec?.ports?.[0]?.name ?? "";
    return `${servicePath}/http:${name}:${port}/proxy`;
  };
  return endpoints(description, async (method, path, body) => {
    proxyBase ??= base();
    return client.raw(method, `${await proxyBase}${path}`, body === undefined ? undefined : { text: body, type: "application/json" });
  });
}
