/** Reading kubeconfig files (kubectl's rules), in-cluster service accounts and exec credential plugins. */
export { TOKEN_FILE_REREAD_MS, connectionFor, defaultConnectionDeps, resolveContext, rotatingToken, staticConnectionFor } from "./connection.js";
export type { ConnectionDeps, KubeConnection, ResolvedContext, TlsMaterial } from "./connection.js";
export { MAX_KUBECONFIG_BYTES, defaultReadFile, parseKubeconfigFile } from "./document.js";
export type { Entry, KubeconfigFile, ReadFile } from "./document.js";
export { EXEC_API_VERSIONS, defaultRunCommand, execPlugin } from "./exec.js";
export type { ExecCredential, ExecPlugin, RunCommand } from "./exec.js";
export { KUBERNETES_SERVICE_HOST_ENV, KUBERNETES_SERVICE_PORT_ENV, SERVICE_ACCOUNT_DIR, inCluster, inClusterConnection } from "./in-cluster.js";
export { KUBECONFIG_ENV, connectionFromKubeconfig, findKubeconfig, kubeconfigConnection, loadKubeConfig } from "./load.js";
export type { KubeConfigSource, LoadedKubeConfig } from "./load.js";
export { kubeconfigList, mergeKubeconfigs } from "./merge.js";
export type { MergedKubeconfig } from "./merge.js";
