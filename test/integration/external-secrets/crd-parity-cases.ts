/** Manifests for the CRD side-by-side test: each must be accepted (valid) or rejected alike by ESO's CRDs and Sigil's. */

export interface ParityCase {
  readonly reason: string;
  readonly valid: boolean;
  readonly manifest: Record<string, unknown>;
}

const es = (name: string, spec: Record<string, unknown>): Record<string, unknown> => ({ kind: "ExternalSecret", metadata: { name }, spec });
const ss = (name: string, spec: Record<string, unknown>, kind = "SecretStore"): Record<string, unknown> => ({ kind, metadata: { name }, spec });
const vault = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ provider: { vault: { server: "http://127.0.0.1:8200", ...extra } } });
const ref = { name: "vault", kind: "SecretStore" };
const ces = (name: string, spec: Record<string, unknown>): Record<string, unknown> => ({ kind: "ClusterExternalSecret", metadata: { name }, spec });

export const PARITY_CASES: readonly ParityCase[] = [
  { reason: "a minimal ExternalSecret with one data item", valid: true, manifest: es("a", { secretStoreRef: ref, data: [{ secretKey: "password", remoteRef: { key: "db/prod", property: "password" } }] }) },
  { reason: "an ExternalSecret with no spec fields gets the target defaults", valid: true, manifest: es("b", {}) },
  { reason: "dataFrom extract and find with rewrite", valid: true, manifest: es("c", { secretStoreRef: ref, dataFrom: [{ extract: { key: "db" }, rewrite: [{ regexp: { source: "^db_", target: "" } }] }, { find: { path: "app", name: { regexp: "^prod-" }, tags: { team: "a" } }, rewrite: [{ transform: { template: "{{ .value | upper }}" } }] }] }) },
  { reason: "a full target with template, templateFrom and policies", valid: true, manifest: es("d", { secretStoreRef: ref, refreshInterval: "15m", refreshPolicy: "OnChange", target: { name: "db-secret", creationPolicy: "Merge", deletionPolicy: "Delete", immutable: true, template: { type: "kubernetes.io/basic-auth", mergePolicy: "Merge", metadata: { labels: { a: "b" }, annotations: { c: "d" } }, data: { cfg: "{{ .password }}" }, templateFrom: [{ configMap: { name: "tpl", items: [{ key: "k", templateAs: "KeysAndValues" }] }, target: "Annotations" }, { literal: "x: {{ .y }}" }] } } }) },
  { reason: "remoteRef strategies and metadataPolicy", valid: true, manifest: es("e", { data: [{ secretKey: "k", remoteRef: { key: "a", version: "3", metadataPolicy: "Fetch", conversionStrategy: "Unicode", decodingStrategy: "Base64URL" } }] }) },
  { reason: "a per-item sourceRef storeRef", valid: true, manifest: es("f", { data: [{ secretKey: "k", remoteRef: { key: "a" }, sourceRef: { storeRef: { name: "other", kind: "ClusterSecretStore" } } }] }) },
  { reason: "unknown fields are pruned, not refused", valid: true, manifest: es("g", { secretStoreRef: ref, bogus: 1, target: { name: "x", bogus: true } }) },
  { reason: "a secretKey with a slash is refused", valid: false, manifest: es("h", { data: [{ secretKey: "a/b", remoteRef: { key: "a" } }] }) },
  { reason: "a data item without remoteRef is refused", valid: false, manifest: es("i", { data: [{ secretKey: "a" }] }) },
  { reason: "a remoteRef without key is refused", valid: false, manifest: es("j", { data: [{ secretKey: "a", remoteRef: { property: "p" } }] }) },
  { reason: "an unknown creationPolicy is refused", valid: false, manifest: es("k", { target: { creationPolicy: "Sometimes" } }) },
  { reason: "an unknown deletionPolicy is refused", valid: false, manifest: es("l", { target: { deletionPolicy: "Never" } }) },
  { reason: "an unknown refreshPolicy is refused", valid: false, manifest: es("m", { refreshPolicy: "Always" }) },
  { reason: "a template engine other than v2 is refused", valid: false, manifest: es("n", { target: { template: { engineVersion: "v1" } } }) },
  { reason: "a store kind other than SecretStore/ClusterSecretStore is refused", valid: false, manifest: es("o", { secretStoreRef: { name: "v", kind: "Vault" } }) },
  { reason: "an upper-case store name is refused", valid: false, manifest: es("p", { secretStoreRef: { name: "Vault" } }) },
  { reason: "a sourceRef with both storeRef and generatorRef is refused", valid: false, manifest: es("q", { data: [{ secretKey: "k", remoteRef: { key: "a" }, sourceRef: { storeRef: { name: "a" }, generatorRef: { kind: "Password", name: "p" } } }] }) },
  { reason: "a regexp rewrite without target is refused", valid: false, manifest: es("r", { dataFrom: [{ extract: { key: "a" }, rewrite: [{ regexp: { source: "x" } }] }] }) },
  { reason: "an unknown decodingStrategy is refused", valid: false, manifest: es("s", { data: [{ secretKey: "k", remoteRef: { key: "a", decodingStrategy: "Hex" } }] }) },
  { reason: "refreshInterval must be a string", valid: false, manifest: es("t", { refreshInterval: 60 }) },
  { reason: "a Vault SecretStore with token auth", valid: true, manifest: ss("v1", vault({ path: "secret", version: "v2", namespace: "ns1", headers: { "X-A": "b" }, forwardInconsistent: true, readYourWrites: true, auth: { tokenSecretRef: { name: "tok", key: "token" } } })) },
  { reason: "a Vault SecretStore with kubernetes auth gets the default mountPath", valid: true, manifest: ss("v2", vault({ auth: { kubernetes: { role: "eso", serviceAccountRef: { name: "sa", audiences: ["vault"] } } } })) },
  { reason: "appRole, userPass, jwt and cert auth with their defaults", valid: true, manifest: ss("v3", vault({ caBundle: "LS0tLQ==", caProvider: { type: "ConfigMap", name: "ca", key: "ca.crt" }, auth: { appRole: { roleId: "r", secretRef: { name: "s", key: "id" } }, userPass: { username: "u", secretRef: { name: "p", key: "pw" } }, jwt: { role: "j", kubernetesServiceAccountToken: { serviceAccountRef: { name: "sa" }, expirationSeconds: 600 } }, cert: { clientCert: { name: "c", key: "tls.crt" }, secretRef: { name: "c", key: "tls.key" } } } })) },
  { reason: "a store with a non-vault provider is accepted (the controller refuses it)", valid: true, manifest: ss("v4", { provider: { fake: { data: [{ key: "a", value: "b" }] } } }) },
  { reason: "a ClusterSecretStore with conditions and a controller class", valid: true, manifest: ss("v5-" + "cluster", { controller: "sigil", refreshInterval: 300, conditions: [{ namespaces: ["team-a"], namespaceSelector: { matchLabels: { team: "a" } }, namespaceRegexes: ["^team-"] }], ...vault() }, "ClusterSecretStore") },
  { reason: "a store without provider is refused", valid: false, manifest: ss("v6", { controller: "x" }) },
  { reason: "a store with two providers is refused", valid: false, manifest: ss("v7", { provider: { vault: { server: "x" }, fake: {} } }) },
  { reason: "a store with an empty provider is refused", valid: false, manifest: ss("v8", { provider: {} }) },
  { reason: "a vault provider without server is refused", valid: false, manifest: ss("v9", { provider: { vault: { path: "secret" } } }) },
  { reason: "a vault version v3 is refused", valid: false, manifest: ss("v10", vault({ version: "v3" })) },
  { reason: "kubernetes auth without role is refused", valid: false, manifest: ss("v11", vault({ auth: { kubernetes: { mountPath: "k8s" } } })) },
  { reason: "appRole auth without secretRef is refused", valid: false, manifest: ss("v12", vault({ auth: { appRole: { roleId: "r" } } })) },
  { reason: "userPass auth without username is refused", valid: false, manifest: ss("v13", vault({ auth: { userPass: { secretRef: { name: "p" } } } })) },
  { reason: "a caProvider of an unknown type is refused", valid: false, manifest: ss("v14", vault({ caProvider: { type: "Vault", name: "x" } })) },
  { reason: "a caBundle that is not base64 is refused", valid: false, manifest: ss("v15", vault({ caBundle: "not base64!" })) },
  { reason: "a store refreshInterval given as a duration string is refused", valid: false, manifest: ss("v16", { refreshInterval: "5m", ...vault() }) },
  { reason: "a condition namespace that is not a DNS label is refused", valid: false, manifest: ss("v17", { conditions: [{ namespaces: ["Team_A"] }], ...vault() }, "ClusterSecretStore") },
  { reason: "a tokenSecretRef with an invalid key is refused", valid: false, manifest: ss("v18", vault({ auth: { tokenSecretRef: { name: "t", key: "a/b" } } })) },
  { reason: "a ClusterExternalSecret with selectors, names, metadata and a refresh time", valid: true, manifest: ces("ces-a", { externalSecretName: "db", externalSecretMetadata: { labels: { a: "b" }, annotations: { c: "d" } }, namespaceSelectors: [{ matchLabels: { team: "a" } }, { matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] }], namespaces: ["ns-1"], refreshTime: "1m", externalSecretSpec: { secretStoreRef: ref, data: [{ secretKey: "k", remoteRef: { key: "a" } }] } }) },
  { reason: "a ClusterExternalSecret with an empty ExternalSecret spec gets its defaults", valid: true, manifest: ces("ces-b", { externalSecretSpec: {}, namespaceSelector: { matchLabels: { x: "y" } } }) },
  { reason: "a ClusterExternalSecret without externalSecretSpec is refused", valid: false, manifest: ces("ces-c", { namespaces: ["a"] }) },
  { reason: "a ClusterExternalSecret with an invalid namespace name is refused", valid: false, manifest: ces("ces-d", { externalSecretSpec: {}, namespaces: ["Not_A_Namespace"] }) },
  { reason: "a ClusterExternalSecret with an invalid externalSecretName is refused", valid: false, manifest: ces("ces-e", { externalSecretSpec: {}, externalSecretName: "Upper" }) },
  { reason: "a ClusterExternalSecret whose embedded spec is invalid is refused", valid: false, manifest: ces("ces-f", { externalSecretSpec: { target: { creationPolicy: "Sometimes" } } }) },
];
