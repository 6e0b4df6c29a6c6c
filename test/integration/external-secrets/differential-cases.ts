/**
 * The differential table: ExternalSecret scenarios run through the real ESO
 * controller and Sigil's on the same API server and OpenBao data. `spec` is
 * given the store reference by the test; `setup` runs in the namespace
 * before the ExternalSecret is created.
 */

/** The Vault data every scenario reads (KV v2 mount `v2`, KV v1 mount `v1`). */
export const VAULT_V2: Readonly<Record<string, { data: Record<string, unknown>; meta?: Record<string, string> }>> = {
  db: { data: { username: "app", password: "s3cr3t-canary", port: 5432, ratio: 1.5, nested: { a: "b<&>", n: 2 }, enabled: true }, meta: { team: "a", owner: "db-team" } },
  "app/prod-a": { data: { k: "a" }, meta: { team: "a" } },
  "app/prod-b": { data: { k: "b" }, meta: { team: "b" } },
  "app/dev-c": { data: { k: "c" }, meta: { team: "a" } },
  "app/sub/prod-d": { data: { k: "d" } },
  b64: { data: { v: Buffer.from("hello-canary").toString("base64"), u: `${Buffer.from([0xfb, 0xff]).toString("base64url")}=`, raw: Buffer.from([0xfb, 0xff]).toString("base64url") } },
  "db_prefixed": { data: { db_user: "u", db_pass: "p", other: "o" } },
};
export const VAULT_V1: Readonly<Record<string, Record<string, unknown>>> = { db: { password: "v1-canary", user: "v1user" } };

/** One scenario. */
export interface DiffCase {
  readonly reason: string;
  readonly spec: Record<string, unknown>;
  /** Labels and annotations of the ExternalSecret. */
  readonly meta?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** Store: `v2` (default), `v1`, or `cluster-forbidden` (a ClusterSecretStore whose conditions exclude the namespace). */
  readonly store?: "v2" | "v1" | "cluster-forbidden";
  /** Objects to create first: an existing Secret (`secret`) or a ConfigMap (`configMap`). */
  readonly setup?: { secret?: Record<string, string>; configMap?: Record<string, string> };
  /** Expected Ready status (both must agree, and agree with this). */
  readonly ready: "True" | "False";
}

const data = (secretKey: string, remoteRef: Record<string, unknown>): Record<string, unknown> => ({ secretKey, remoteRef });

export const DIFF_CASES: readonly DiffCase[] = [
  { reason: "data with a property", ready: "True", spec: { data: [data("password", { key: "db", property: "password" })] } },
  { reason: "data without a property gives the whole secret as JSON", ready: "True", spec: { data: [data("all", { key: "db" })] } },
  { reason: "data with a nested (gjson) property", ready: "True", spec: { data: [data("a", { key: "db", property: "nested.a" }), data("n", { key: "db", property: "nested" })] } },
  { reason: "data with number and bool properties", ready: "True", spec: { data: [data("port", { key: "db", property: "port" }), data("ratio", { key: "db", property: "ratio" }), data("on", { key: "db", property: "enabled" })] } },
  { reason: "data with version 1 of a KV v2 secret", ready: "True", spec: { data: [data("old", { key: "db", property: "password", version: "1" })] } },
  { reason: "metadataPolicy Fetch reads custom metadata", ready: "True", spec: { data: [data("owner", { key: "db", property: "owner", metadataPolicy: "Fetch" }), data("meta", { key: "db", metadataPolicy: "Fetch" })] } },
  { reason: "decodingStrategy Base64 and (padded) Base64URL", ready: "True", spec: { data: [data("v", { key: "b64", property: "v", decodingStrategy: "Base64" }), data("u", { key: "b64", property: "u", decodingStrategy: "Base64URL" })] } },
  { reason: "unpadded Base64URL is an error, as Go's URLEncoding says", ready: "False", spec: { data: [data("u", { key: "b64", property: "raw", decodingStrategy: "Base64URL" })] } },
  { reason: "decodingStrategy Auto keeps text that is not base64", ready: "True", spec: { data: [data("p", { key: "db", property: "username", decodingStrategy: "Auto" })] } },
  { reason: "dataFrom extract converts every top-level key", ready: "True", spec: { dataFrom: [{ extract: { key: "db" } }] } },
  { reason: "dataFrom extract with a regexp rewrite", ready: "True", spec: { dataFrom: [{ extract: { key: "db_prefixed" }, rewrite: [{ regexp: { source: "^db_(.*)$", target: "x_$1" } }] }] } },
  { reason: "dataFrom extract with a transform rewrite", ready: "True", spec: { dataFrom: [{ extract: { key: "db_prefixed" }, rewrite: [{ transform: { template: "{{ .value | upper }}" } }] }] } },
  { reason: "dataFrom find by name regexp under a path", ready: "True", spec: { dataFrom: [{ find: { path: "app", name: { regexp: "prod" } } }] } },
  { reason: "dataFrom find by tags", ready: "True", spec: { dataFrom: [{ find: { tags: { team: "a" } } }] } },
  { reason: "dataFrom find with Unicode key conversion", ready: "True", spec: { dataFrom: [{ find: { path: "app", name: { regexp: "dev" }, conversionStrategy: "Unicode" } }] } },
  { reason: "template data and type replace the fetched keys", ready: "True", spec: { data: [data("user", { key: "db", property: "username" }), data("pass", { key: "db", property: "password" })], target: { template: { type: "kubernetes.io/basic-auth", data: { username: "{{ .user }}", password: "{{ .pass | b64enc }}" } } } } },
  { reason: "template mergePolicy Merge keeps the fetched keys", ready: "True", spec: { data: [data("user", { key: "db", property: "username" })], target: { template: { mergePolicy: "Merge", data: { dsn: "postgres://{{ .user }}@db" } } } } },
  { reason: "template metadata labels and annotations are templated", ready: "True", spec: { data: [data("user", { key: "db", property: "username" })], target: { template: { metadata: { labels: { who: "{{ .user }}" }, annotations: { note: "user {{ .user | quote }}" } } } } } },
  { reason: "templateFrom literal (KeysAndValues)", ready: "True", spec: { data: [data("user", { key: "db", property: "username" })], target: { template: { templateFrom: [{ literal: "config: '{{ .user }}-x'" }] } } } },
  { reason: "templateFrom configMap Values", ready: "True", setup: { configMap: { "app.conf": "user={{ .user }}" } }, spec: { data: [data("user", { key: "db", property: "username" })], target: { template: { templateFrom: [{ configMap: { name: "tpl", items: [{ key: "app.conf" }] } }] } } } },
  { reason: "the ExternalSecret's labels and annotations are copied without a template", ready: "True", meta: { labels: { app: "db" }, annotations: { note: "x" } }, spec: { data: [data("p", { key: "db", property: "password" })] } },
  { reason: "target name differs from the ExternalSecret's", ready: "True", spec: { target: { name: "other-name" }, data: [data("p", { key: "db", property: "password" })] } },
  { reason: "creationPolicy Orphan: no owner", ready: "True", spec: { target: { creationPolicy: "Orphan" }, data: [data("p", { key: "db", property: "password" })] } },
  { reason: "creationPolicy Merge into an existing Secret keeps its keys", ready: "True", setup: { secret: { foreign: "keep-me" } }, spec: { target: { creationPolicy: "Merge" }, data: [data("p", { key: "db", property: "password" })] } },
  { reason: "creationPolicy Merge without a Secret reports SecretMissing", ready: "True", spec: { target: { creationPolicy: "Merge" }, data: [data("p", { key: "db", property: "password" })] } },
  { reason: "creationPolicy None writes nothing", ready: "True", spec: { target: { creationPolicy: "None" }, data: [data("p", { key: "db", property: "password" })] } },
  { reason: "immutable target", ready: "True", spec: { target: { immutable: true }, data: [data("p", { key: "db", property: "password" })] } },
  { reason: "KV v1 store", ready: "True", store: "v1", spec: { data: [data("p", { key: "db", property: "password" })], dataFrom: [{ extract: { key: "db" } }] } },
  { reason: "a missing secret with deletionPolicy Retain is an error", ready: "False", spec: { data: [data("p", { key: "nope", property: "password" })] } },
  { reason: "a missing secret with deletionPolicy Delete reports SecretDeleted", ready: "True", spec: { target: { deletionPolicy: "Delete" }, data: [data("p", { key: "nope", property: "password" })] } },
  { reason: "a missing secret with deletionPolicy Merge writes an empty managed Secret", ready: "True", spec: { target: { deletionPolicy: "Merge" }, data: [data("p", { key: "nope", property: "password" })] } },
  { reason: "a missing property is an error", ready: "False", spec: { data: [data("p", { key: "db", property: "nope" })] } },
  { reason: "a namespace the ClusterSecretStore's conditions forbid is refused", ready: "False", store: "cluster-forbidden", spec: { data: [data("p", { key: "db", property: "password" })] } },
  { reason: "an invalid key from find without rewrite is converted, a rewrite producing an invalid key is an error", ready: "False", spec: { dataFrom: [{ find: { path: "app", name: { regexp: "prod-a" } }, rewrite: [{ regexp: { source: "^", target: "bad/" } }] }] } },
];
