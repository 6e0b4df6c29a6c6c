/**
 * Reading what a Vault store references in Kubernetes: Secret keys, CA
 * bundles and service-account tokens (TokenRequest API), with ESO's
 * namespace rules (a namespaced store reads its own namespace; a
 * ClusterSecretStore must name one).
 */
import { SigilError, registerSecret } from "../../core/index.js";
import { SECRETS, resourcePath } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import type { SecretKeySelector, ServiceAccountSelector } from "../../external-secrets/index.js";
import { CONFIG_MAPS, SERVICE_ACCOUNTS } from "./resources.js";

/** Where the store's references are resolved. */
export interface RefScope {
  readonly client: KubeClient;
  readonly cluster: boolean;
  /** The ExternalSecret's (= a SecretStore's) namespace. */
  readonly namespace: string;
}

function refNamespace(scope: RefScope, ns: string | undefined, what: string): string {
  if (!scope.cluster) return scope.namespace;
  if (ns === undefined || ns === "") throw new SigilError("es.store_invalid", `cluster scope requires namespace (${what})`, { subject: what });
  return ns;
}

/**
 * The value of a Secret key.
 * @throws SigilError `es.store_invalid` when the Secret or key is missing.
 */
export async function secretKeyValue(scope: RefScope, ref: SecretKeySelector | undefined, what: string, defaultKey?: string): Promise<string> {
  const name = ref?.name ?? "";
  const key = ref?.key ?? defaultKey ?? "";
  if (name === "") throw new SigilError("es.store_invalid", `${what}: no secret name`, { subject: what });
  const ns = refNamespace(scope, ref?.namespace, what);
  const secret = await scope.client.get<{ data?: Record<string, string> }>(resourcePath(SECRETS, { namespace: ns, name }));
  if (secret === undefined) throw new SigilError("es.store_invalid", `${what}: cannot get Kubernetes secret ${JSON.stringify(name)}: secrets ${JSON.stringify(name)} not found`, { subject: `Secret/${ns}/${name}` });
  const value = secret.data?.[key];
  if (value === undefined) throw new SigilError("es.store_invalid", `${what}: cannot find secret data for key: ${JSON.stringify(key)}`, { subject: `Secret/${ns}/${name}` });
  // Tokens, passwords, secret ids and keys: masked wherever they might be quoted later.
  const text = Buffer.from(value, "base64").toString("utf8");
  registerSecret(text);
  return text;
}

/** A ConfigMap key (for `caProvider`). */
export async function configMapValue(scope: RefScope, name: string, key: string, ns: string | undefined): Promise<string> {
  const where = refNamespace(scope, ns, "caProvider");
  const cm = await scope.client.get<{ data?: Record<string, string> }>(resourcePath(CONFIG_MAPS, { namespace: where, name }));
  const value = cm?.data?.[key];
  if (value === undefined) throw new SigilError("es.store_invalid", `caProvider: configmap ${JSON.stringify(name)} has no key ${JSON.stringify(key)}`, { subject: `ConfigMap/${where}/${name}` });
  return value;
}

/**
 * A service-account token from the TokenRequest API.
 * @throws SigilError `es.store_invalid` when the API refuses.
 */
export async function serviceAccountToken(scope: RefScope, sa: ServiceAccountSelector | undefined, audiences: readonly string[] | undefined, expirationSeconds = 600): Promise<string> {
  const name = sa?.name ?? "";
  const ns = scope.cluster && sa?.namespace !== undefined && sa.namespace !== "" ? sa.namespace : scope.namespace;
  const body = { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds, ...(audiences !== undefined && audiences.length > 0 ? { audiences: [...audiences] } : {}) } };
  try {
    const res = await scope.client.create<{ status?: { token?: string } }>(resourcePath(SERVICE_ACCOUNTS, { namespace: ns, name, subresource: "token" }), body);
    const token = res.status?.token;
    if (token === undefined || token === "") throw new Error("empty token");
    return token;
  } catch (err) {
    const why = err instanceof SigilError ? err.code : "no token";
    throw new SigilError("es.store_invalid", `cannot request a token for service account ${ns}/${name} (${why})`, { subject: `ServiceAccount/${ns}/${name}` });
  }
}
