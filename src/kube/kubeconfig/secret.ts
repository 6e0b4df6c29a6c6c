/**
 * A kubeconfig held in a Secret (a Sync's `spec.kubeConfig.secretRef`), read
 * with the same rules as a file but with the safety of Flux's defaults: a
 * Secret is written by a tenant, so it may not make the operator run a
 * program (`exec`, `auth-provider`), read a file of the operator's pod
 * (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`)
 * or turn TLS verification off (`insecure-skip-tls-verify`). Inline data,
 * tokens and basic auth are kept.
 */
import { SigilError, registerSecret } from "../../core/index.js";
import { resolveContext, staticConnectionFor } from "./connection.js";
import type { KubeConnection } from "./connection.js";
import { MAX_KUBECONFIG_BYTES, parseKubeconfigFile } from "./document.js";
import type { Fields } from "./document.js";
import { mergeKubeconfigs } from "./merge.js";

/** User fields refused in a Secret-held kubeconfig: they run programs or read the operator's files. */
export const REFUSED_USER_FIELDS = ["exec", "auth-provider", "tokenFile", "client-certificate", "client-key"] as const;
/** Cluster fields refused in a Secret-held kubeconfig: they read the operator's files or turn TLS verification off. */
export const REFUSED_CLUSTER_FIELDS = ["certificate-authority", "insecure-skip-tls-verify"] as const;

function refused(fields: Fields, names: readonly string[]): string | undefined {
  return names.find((n) => fields[n] !== undefined && fields[n] !== false && fields[n] !== "");
}

/**
 * A connection from kubeconfig bytes held in a Secret (its current context).
 * Nothing from the bytes goes into an error message: errors name the field and `subject` only.
 * @param subject Where the bytes came from, e.g. `Secret/ns/name (key value)`.
 * @throws SigilError `config.invalid` naming `subject` when the bytes are too large, not YAML, have no usable context, or use a refused field ({@link REFUSED_USER_FIELDS}, {@link REFUSED_CLUSTER_FIELDS}).
 */
export function connectionFromKubeconfigData(data: Buffer, subject: string): KubeConnection {
  if (data.length > MAX_KUBECONFIG_BYTES) throw new SigilError("config.invalid", `the kubeconfig is larger than ${MAX_KUBECONFIG_BYTES} bytes`, { subject });
  const file = parseKubeconfigFile(subject, () => data);
  const resolved = resolveContext(mergeKubeconfigs([file]));
  const user = resolved.user?.fields ?? {};
  const badUser = refused(user, REFUSED_USER_FIELDS);
  if (badUser !== undefined) throw new SigilError("config.invalid", `a kubeconfig held in a Secret may not use '${badUser}' (programs and files of the operator are off limits); use inline data or a token`, { subject });
  const badCluster = refused(resolved.cluster.fields, REFUSED_CLUSTER_FIELDS);
  if (badCluster !== undefined) throw new SigilError("config.invalid", `a kubeconfig held in a Secret may not use '${badCluster}'; use certificate-authority-data`, { subject });
  const noFiles = (path: string): Buffer => {
    throw new SigilError("config.invalid", `a kubeconfig held in a Secret may not name a file (${path})`, { subject });
  };
  for (const key of ["token", "password", "client-key-data"]) {
    const value = user[key];
    if (typeof value === "string" && value !== "") registerSecret(value);
  }
  const connection = staticConnectionFor(resolved, { read: noFiles, now: Date.now });
  if (connection === undefined) throw new SigilError("config.invalid", "a kubeconfig held in a Secret may not use a credential plugin", { subject });
  return connection;
}
