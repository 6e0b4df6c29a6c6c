/**
 * The in-cluster configuration: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
 * the pod's service-account CA, namespace and token (re-read as it rotates).
 */
import { join } from "node:path";
import { SigilError } from "../../core/index.js";
import { rotatingToken } from "./connection.js";
import type { KubeConnection } from "./connection.js";
import { defaultReadFile } from "./document.js";
import type { ReadFile } from "./document.js";

/** Where a pod's service account is mounted. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** Set inside a pod; selects the in-cluster configuration. */
export const KUBERNETES_SERVICE_HOST_ENV = "KUBERNETES_SERVICE_HOST";
/** The API server's port inside a pod. */
export const KUBERNETES_SERVICE_PORT_ENV = "KUBERNETES_SERVICE_PORT";

/** True when the variables of a pod are set. */
export function inCluster(env: Readonly<Record<string, string | undefined>>): boolean {
  return (env[KUBERNETES_SERVICE_HOST_ENV] ?? "") !== "" && (env[KUBERNETES_SERVICE_PORT_ENV] ?? "") !== "";
}

/**
 * The in-cluster connection.
 * @throws SigilError `config.invalid` when the variables or the CA file are missing.
 */
export function inClusterConnection(env: Readonly<Record<string, string | undefined>>, read: ReadFile = defaultReadFile, now: () => number = Date.now): KubeConnection {
  const host = env[KUBERNETES_SERVICE_HOST_ENV] ?? "";
  const port = env[KUBERNETES_SERVICE_PORT_ENV] ?? "";
  if (host === "" || port === "") throw new SigilError("config.invalid", `not in a pod: ${KUBERNETES_SERVICE_HOST_ENV} and ${KUBERNETES_SERVICE_PORT_ENV} are not set`);
  let ca: Buffer;
  try {
    ca = read(join(SERVICE_ACCOUNT_DIR, "ca.crt"));
  } catch (cause) {
    throw new SigilError("config.invalid", "the service account ca.crt cannot be read", { subject: SERVICE_ACCOUNT_DIR, cause });
  }
  let namespace: string | undefined;
  try {
    namespace = read(join(SERVICE_ACCOUNT_DIR, "namespace")).toString("utf8").trim();
  } catch {
    namespace = undefined;
  }
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return {
    server: new URL(`https://${hostPart}:${port}`),
    tls: { ca },
    namespace,
    authorization: rotatingToken(join(SERVICE_ACCOUNT_DIR, "token"), { read, now }, SERVICE_ACCOUNT_DIR),
  };
}
