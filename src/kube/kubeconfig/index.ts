/** Reading kubeconfig files (kubectl's rules), in-cluster service accounts and exec credential plugins. */
export { resolveContext } from "./connection.js";
export type { ClientCertificate, ConnectionDeps, KubeConnection, ResolvedContext, TlsMaterial } from "./connection.js";
export type { ReadFile } from "./document.js";
export { EXEC_RENEW_BEFORE_MS } from "./exec.js";
export type { ExecCredential, RunCommand } from "./exec.js";
export { KUBERNETES_SERVICE_HOST_ENV, KUBERNETES_SERVICE_PORT_ENV, SERVICE_ACCOUNT_DIR, inClusterConnection } from "./in-cluster.js";
export { KUBECONFIG_ENV, connectionFromKubeconfig, findKubeconfig, kubeconfigConnection, loadKubeConfig } from "./load.js";
export type { KubeConfigSource, LoadedKubeConfig } from "./load.js";
export { kubeconfigList, mergeKubeconfigs } from "./merge.js";
export type { MergedKubeconfig } from "./merge.js";
export { REFUSED_CLUSTER_FIELDS, REFUSED_USER_FIELDS, connectionFromKubeconfigData } from "./secret.js";
