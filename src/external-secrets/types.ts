/**
 * The `external-secrets.io/v1` objects as plain JSON (docs/formats.md#c-externalsecrets-and-vault):
 * only the fields Sigil reads or writes are typed; everything is optional,
 * as it arrives from the API server.
 */
import type { KubeObject } from "../kube/index.js";

export interface StoreRef { name?: string; kind?: string }
export interface RemoteRef {
  key?: string;
  property?: string;
  version?: string;
  metadataPolicy?: string;
  conversionStrategy?: string;
  decodingStrategy?: string;
}
export interface DataItem { secretKey?: string; remoteRef?: RemoteRef; sourceRef?: { storeRef?: StoreRef; generatorRef?: unknown } }
export interface Rewrite { regexp?: { source?: string; target?: string }; transform?: { template?: string } }
export interface FindSpec { path?: string; name?: { regexp?: string }; tags?: Record<string, string>; conversionStrategy?: string; decodingStrategy?: string }
export interface DataFromItem { extract?: RemoteRef; find?: FindSpec; rewrite?: Rewrite[]; sourceRef?: { storeRef?: StoreRef; generatorRef?: unknown } }
export interface TemplateFromItem {
  configMap?: { name?: string; items?: { key?: string; templateAs?: string }[] };
  secret?: { name?: string; items?: { key?: string; templateAs?: string }[] };
  target?: string;
  literal?: string;
}
export interface TargetTemplate {
  type?: string;
  engineVersion?: string;
  mergePolicy?: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  templateFrom?: TemplateFromItem[];
}
export interface Target {
  name?: string;
  creationPolicy?: string;
  deletionPolicy?: string;
  immutable?: boolean;
  template?: TargetTemplate;
}
export interface Condition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }

export interface ExternalSecret extends KubeObject {
  spec?: {
    secretStoreRef?: StoreRef;
    refreshInterval?: string;
    refreshPolicy?: string;
    target?: Target;
    data?: DataItem[];
    dataFrom?: DataFromItem[];
  };
  status?: {
    refreshTime?: string | null;
    syncedResourceVersion?: string;
    binding?: { name?: string };
    conditions?: Condition[];
  };
}

export interface SecretKeySelector { name?: string; key?: string; namespace?: string }
export interface ServiceAccountSelector { name?: string; namespace?: string; audiences?: string[] }

export interface VaultAuthSpec {
  namespace?: string;
  tokenSecretRef?: SecretKeySelector;
  appRole?: { path?: string; roleId?: string; roleRef?: SecretKeySelector; secretRef?: SecretKeySelector };
  kubernetes?: { mountPath?: string; role?: string; serviceAccountRef?: ServiceAccountSelector; secretRef?: SecretKeySelector };
  ldap?: unknown;
  userPass?: { path?: string; username?: string; secretRef?: SecretKeySelector };
  jwt?: { path?: string; role?: string; secretRef?: SecretKeySelector; kubernetesServiceAccountToken?: { serviceAccountRef?: ServiceAccountSelector; audiences?: string[]; expirationSeconds?: number } };
  cert?: { clientCert?: SecretKeySelector; secretRef?: SecretKeySelector };
  iam?: unknown;
  gcp?: unknown;
}

export interface VaultProviderSpec {
  server?: string;
  path?: string;
  version?: string;
  namespace?: string;
  caBundle?: string;
  caProvider?: { type?: string; name?: string; key?: string; namespace?: string };
  tls?: { certSecretRef?: SecretKeySelector; keySecretRef?: SecretKeySelector };
  readYourWrites?: boolean;
  forwardInconsistent?: boolean;
  headers?: Record<string, string>;
  auth?: VaultAuthSpec;
}

export interface StoreCondition {
  namespaces?: string[];
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { key?: string; operator?: string; values?: string[] }[] };
  namespaceRegexes?: string[];
}

export interface SecretStore extends KubeObject {
  spec?: {
    controller?: string;
    refreshInterval?: number;
    conditions?: StoreCondition[];
    provider?: { vault?: VaultProviderSpec; [other: string]: unknown };
  };
  status?: { capabilities?: string; conditions?: Condition[] };
}

/** A Secret as the API server returns it. */
export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  immutable?: boolean;
  metadata?: KubeObject["metadata"] & {
    ownerReferences?: OwnerReference[];
    managedFields?: { manager?: string; fieldsV1?: Record<string, unknown> }[];
  };
}

export interface OwnerReference { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }

/** A label selector (`metav1.LabelSelector`). */
export type LabelSelector = NonNullable<StoreCondition["namespaceSelector"]>;

/** ESO's `ClusterExternalSecretStatusCondition`: type, status and message only. */
export interface CesCondition { type: string; status: string; message?: string }

/** `ClusterExternalSecret` (external-secrets.io/v1, cluster-scoped). */
export interface ClusterExternalSecret extends KubeObject {
  spec?: {
    externalSecretSpec?: NonNullable<ExternalSecret["spec"]>;
    externalSecretName?: string;
    externalSecretMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    namespaceSelector?: LabelSelector;
    namespaceSelectors?: LabelSelector[];
    namespaces?: string[];
    refreshTime?: string;
  };
  status?: {
    externalSecretName?: string;
    provisionedNamespaces?: string[];
    failedNamespaces?: { namespace: string; reason?: string }[];
    conditions?: CesCondition[];
  };
}
