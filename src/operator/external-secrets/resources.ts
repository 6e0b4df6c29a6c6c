/** The resource types the ExternalSecrets controllers read and write (paths through `resourcePath`). */
import type { ResourceType } from "../../kube/index.js";

export const EXTERNAL_SECRETS: ResourceType = { group: "external-secrets.io", version: "v1", plural: "externalsecrets" };
export const CLUSTER_EXTERNAL_SECRETS: ResourceType = { group: "external-secrets.io", version: "v1", plural: "clusterexternalsecrets" };
export const SECRET_STORES: ResourceType = { group: "external-secrets.io", version: "v1", plural: "secretstores" };
export const CLUSTER_SECRET_STORES: ResourceType = { group: "external-secrets.io", version: "v1", plural: "clustersecretstores" };
export const NAMESPACES: ResourceType = { group: "", version: "v1", plural: "namespaces" };
export const CONFIG_MAPS: ResourceType = { group: "", version: "v1", plural: "configmaps" };
export const SERVICE_ACCOUNTS: ResourceType = { group: "", version: "v1", plural: "serviceaccounts" };
