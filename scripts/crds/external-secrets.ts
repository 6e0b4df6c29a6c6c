/**
 * Sigil's own CRDs for `external-secrets.io/v1` (ExternalSecret, SecretStore,
 * ClusterSecretStore, ClusterExternalSecret), written from the field list in formats.md part C and
 * checked side by side with ESO v0.16.2's CRDs on a real API server
 * (test/integration/external-secrets/crd-parity.test.ts).
 *
 * `npx tsx scripts/crds/external-secrets.ts` rewrites `crds/external-secrets.io_*.yaml`;
 * a unit test fails when the committed files differ from what this prints.
 * Only the Vault provider is described field by field; the other providers
 * ESO knows are accepted as opaque objects (a store naming one gets
 * `Ready=False`, `InvalidProviderConfig`, from the controller).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

type Schema = Record<string, unknown>;

const DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const SECRET_KEY = "^[-._a-zA-Z0-9]+$";

const str = (description?: string, extra: Schema = {}): Schema => ({ type: "string", ...(description === undefined ? {} : { description }), ...extra });
const bool = (description: string): Schema => ({ type: "boolean", description });
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({ type: "object", ...extra, properties });
const arr = (items: Schema, description?: string): Schema => ({ type: "array", ...(description === undefined ? {} : { description }), items });
const strMap = (description: string): Schema => ({ type: "object", description, additionalProperties: { type: "string" } });
const oneOf = (values: readonly string[], description: string, dflt?: string): Schema => str(description, { enum: [...values], ...(dflt === undefined ? {} : { default: dflt }) });

const objectName = (description = "Name of the object."): Schema => str(description, { minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN });
const namespaceName = (description = "Namespace of the object (ClusterSecretStore only; ignored in a SecretStore)."): Schema => str(description, { minLength: 1, maxLength: 63, pattern: DNS_LABEL });
const secretKeyName = (description = "Key inside the Secret."): Schema => str(description, { minLength: 1, maxLength: 253, pattern: SECRET_KEY });

/** `{name, key, namespace}`: a key of a Secret. */
const secretKeySelector = (description: string): Schema => obj({ name: objectName("Name of the Secret."), key: secretKeyName(), namespace: namespaceName() }, { description });
/** `{name, namespace, audiences}`: a ServiceAccount to request a token for. */
const serviceAccountSelector = (description: string): Schema => obj({
  name: objectName("Name of the ServiceAccount."),
  namespace: namespaceName(),
  audiences: arr(str(), "Audiences of the requested token (TokenRequest API)."),
}, { description, required: ["name"] });

function vaultAuth(): Schema {
  return obj({
    namespace: str("Vault namespace used for the login only (header X-Vault-Namespace during login)."),
    tokenSecretRef: secretKeySelector("A Secret holding a Vault token, used as is."),
    appRole: obj({
      path: str("Mount path of the AppRole method.", { default: "approle" }),
      roleId: str("The role ID."),
      roleRef: secretKeySelector("A Secret holding the role ID (instead of roleId)."),
      secretRef: secretKeySelector("A Secret holding the secret ID."),
    }, { description: "AppRole login.", required: ["path", "secretRef"] }),
    kubernetes: obj({
      mountPath: str("Mount path of the Kubernetes method.", { default: "kubernetes" }),
      role: str("Vault role to log in as."),
      serviceAccountRef: serviceAccountSelector("Log in with a token requested for this ServiceAccount (TokenRequest API)."),
      secretRef: secretKeySelector("Log in with a token stored in this Secret (key default \"token\")."),
    }, { description: "Kubernetes service-account login.", required: ["mountPath", "role"] }),
    ldap: obj({
      path: str("Mount path of the LDAP method.", { default: "ldap" }),
      username: str("LDAP user name."),
      secretRef: secretKeySelector("A Secret holding the password."),
    }, { description: "LDAP login (not supported by Sigil: the store is refused).", required: ["path", "username"] }),
    userPass: obj({
      path: str("Mount path of the userpass method.", { default: "userpass" }),
      username: str("User name."),
      secretRef: secretKeySelector("A Secret holding the password."),
    }, { description: "Username and password login.", required: ["path", "username"] }),
    jwt: obj({
      path: str("Mount path of the JWT/OIDC method.", { default: "jwt" }),
      role: str("Vault role to log in as."),
      secretRef: secretKeySelector("A Secret holding the JWT."),
      kubernetesServiceAccountToken: obj({
        serviceAccountRef: serviceAccountSelector("The ServiceAccount to request a token for."),
        audiences: arr(str(), "Audiences of the requested token (override serviceAccountRef.audiences)."),
        expirationSeconds: { type: "integer", format: "int64", description: "Lifetime of the requested token." },
      }, { description: "Log in with a token requested for a ServiceAccount.", required: ["serviceAccountRef"] }),
    }, { description: "JWT login.", required: ["path"] }),
    cert: obj({
      clientCert: secretKeySelector("A Secret holding the client certificate (PEM)."),
      secretRef: secretKeySelector("A Secret holding the client private key (PEM)."),
    }, { description: "TLS client certificate login." }),
    iam: { type: "object", description: "AWS IAM login (not supported by Sigil: the store is refused).", "x-kubernetes-preserve-unknown-fields": true, required: ["vaultRole"] },
  }, { description: "How to log in to Vault: exactly one method." });
}

function vaultProvider(): Schema {
  return obj({
    server: str("Vault address, such as https://vault.example.com:8200."),
    path: str("Mount path of the KV engine (optional; see docs/crds/secretstore.md for how keys are joined to it)."),
    version: oneOf(["v1", "v2"], "KV engine version.", "v2"),
    namespace: str("Vault namespace (header X-Vault-Namespace)."),
    caBundle: str("PEM CA bundle (base64 in YAML) that signs the Vault server certificate.", { format: "byte" }),
    caProvider: obj({
      type: oneOf(["Secret", "ConfigMap"], "Kind of the object holding the CA."),
      name: objectName(),
      key: secretKeyName("Key holding the PEM bundle."),
      namespace: namespaceName(),
    }, { description: "A Secret or ConfigMap holding the CA bundle.", required: ["name", "type"] }),
    tls: obj({
      certSecretRef: secretKeySelector("Client certificate for mutual TLS."),
      keySecretRef: secretKeySelector("Client key for mutual TLS."),
    }, { description: "Client certificate for mutual TLS with the server." }),
    readYourWrites: bool("Send the last seen index state back (Vault Enterprise performance standbys)."),
    forwardInconsistent: bool("Ask standbys to forward inconsistent reads to the active node (X-Vault-Inconsistent)."),
    headers: strMap("Extra headers sent on every request."),
    auth: vaultAuth(),
  }, { description: "HashiCorp Vault or OpenBao.", required: ["server"] });
}

/** Every provider ESO v0.16.2 names: Sigil reads only `vault`, the others are kept as given. */
const OTHER_PROVIDERS = ["akeyless", "alibaba", "aws", "azurekv", "beyondtrust", "bitwardensecretsmanager", "chef", "cloudrusm", "conjur", "delinea", "device42", "doppler", "fake", "fortanix", "gcpsm", "github", "gitlab", "ibm", "infisical", "keepersecurity", "kubernetes", "onboardbase", "onepassword", "oracle", "passbolt", "passworddepot", "previder", "pulumi", "scaleway", "secretserver", "senhasegura", "webhook", "yandexcertificatemanager", "yandexlockbox"] as const;

function storeSpec(cluster: boolean): Schema {
  const providers: Record<string, Schema> = { vault: vaultProvider() };
  for (const p of OTHER_PROVIDERS) providers[p] = { type: "object", description: "Not supported by Sigil (the store gets Ready=False, InvalidProviderConfig).", "x-kubernetes-preserve-unknown-fields": true };
  const conditions = arr(obj({
    namespaces: arr(str(undefined, { minLength: 1, maxLength: 63, pattern: DNS_LABEL }), "Namespaces allowed by name."),
    namespaceSelector: labelSelector("Namespaces allowed by label."),
    namespaceRegexes: arr(str(), "Namespaces allowed by regular expression (RE2)."),
  }), cluster ? "Which namespaces may use this store: an ExternalSecret elsewhere is refused with no provider read. Empty: every namespace." : "Only meaningful on a ClusterSecretStore.");
  return obj({
    controller: str("Controller class: only the controller of this class reconciles the store and its ExternalSecrets (empty: any)."),
    refreshInterval: { type: "integer", description: "Seconds between store validations (0: the controller default)." },
    retrySettings: obj({ maxRetries: { type: "integer", format: "int32" }, retryInterval: str() }, { description: "Accepted for compatibility; Sigil uses its own capped backoff." }),
    conditions,
    provider: obj(providers, { description: "The secret provider: exactly one.", minProperties: 1, maxProperties: 1 }),
  }, { required: ["provider"] });
}

function labelSelector(description: string): Schema {
  return obj({
    matchLabels: strMap("Labels that must all match."),
    matchExpressions: { ...arr(obj({ key: str(), operator: str(), values: { ...arr(str()), "x-kubernetes-list-type": "atomic" } }, { required: ["key", "operator"] })), "x-kubernetes-list-type": "atomic" },
  }, { description, "x-kubernetes-map-type": "atomic" });
}

const conditionsSchema = (): Schema => arr(obj({
  type: str(), status: str(), reason: str(), message: str(), lastTransitionTime: str(undefined, { format: "date-time" }),
}, { required: ["status", "type"] }));

function storeCrd(cluster: boolean): Schema {
  const kind = cluster ? "ClusterSecretStore" : "SecretStore";
  const status = obj({ capabilities: str("ReadOnly, WriteOnly or ReadWrite."), conditions: conditionsSchema() });
  return crd(kind, cluster ? "css" : "ss", cluster ? "Cluster" : "Namespaced", {
    type: "object",
    description: cluster ? "A Vault connection any allowed namespace can use." : "A Vault connection for the ExternalSecrets of its namespace.",
    properties: { apiVersion: str(), kind: str(), metadata: { type: "object" }, spec: storeSpec(cluster), status },
  }, [
    { name: "AGE", type: "date", jsonPath: ".metadata.creationTimestamp" },
    { name: "Status", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
    { name: "Capabilities", type: "string", jsonPath: ".status.capabilities" },
    { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  ]);
}

function remoteRefFields(): Record<string, Schema> {
  return {
    key: str("Path of the secret in the provider, relative to the store's path."),
    property: str("A top-level key of the secret, or a nested path (gjson) inside it."),
    version: str("Provider version of the secret (Vault KV v2 version number)."),
    metadataPolicy: oneOf(["None", "Fetch"], "Fetch: read the secret's custom metadata instead of its data.", "None"),
    conversionStrategy: oneOf(["Default", "Unicode"], "How keys are converted.", "Default"),
    decodingStrategy: oneOf(["Auto", "Base64", "Base64URL", "None"], "How values are decoded.", "None"),
  };
}

const storeRef = (): Schema => obj({
  name: objectName("Name of the store."),
  kind: oneOf(["SecretStore", "ClusterSecretStore"], "Kind of the store (default SecretStore)."),
});

const GENERATORS = ["ACRAccessToken", "ClusterGenerator", "ECRAuthorizationToken", "Fake", "GCRAccessToken", "GithubAccessToken", "QuayAccessToken", "Password", "STSSessionToken", "UUID", "VaultDynamicSecret", "Webhook", "Grafana"];

const sourceRef = (): Schema => obj({
  storeRef: storeRef(),
  generatorRef: obj({
    apiVersion: str(undefined, { default: "generators.external-secrets.io/v1alpha1" }),
    kind: oneOf(GENERATORS, "Generator kind (not supported by Sigil)."),
    name: objectName(),
  }, { required: ["kind", "name"] }),
}, { description: "Read this item from another store.", minProperties: 1, maxProperties: 1 });

function templateFromItem(): Schema {
  const source = (what: string): Schema => obj({
    name: objectName(`Name of the ${what}.`),
    items: arr(obj({ key: secretKeyName(), templateAs: oneOf(["Values", "KeysAndValues"], "Use the key's value as one template, or each key and value.", "Values") }, { required: ["key"] })),
  }, { required: ["items", "name"] });
  return obj({
    configMap: source("ConfigMap"),
    secret: source("Secret"),
    target: oneOf(["Data", "Annotations", "Labels"], "Where the rendered result goes.", "Data"),
    literal: str("A literal template."),
  });
}

function target(): Schema {
  return obj({
    name: objectName("Name of the Secret to write (default: the ExternalSecret's name)."),
    creationPolicy: oneOf(["Owner", "Orphan", "Merge", "None"], "How the Secret is created and owned.", "Owner"),
    deletionPolicy: oneOf(["Delete", "Merge", "Retain"], "What happens when the provider no longer has the secret.", "Retain"),
    immutable: bool("Create the Secret immutable."),
    template: obj({
      type: str("Type of the Secret."),
      engineVersion: oneOf(["v2"], "Template engine version.", "v2"),
      mergePolicy: oneOf(["Replace", "Merge"], "Replace the fetched data with the rendered data, or merge them.", "Replace"),
      metadata: obj({ labels: strMap("Labels of the Secret."), annotations: strMap("Annotations of the Secret.") }),
      data: strMap("Templates of the Secret's keys."),
      templateFrom: arr(templateFromItem()),
    }, { description: "A template for the Secret." }),
  }, { description: "The Secret to write.", default: { creationPolicy: "Owner", deletionPolicy: "Retain" } });
}

function externalSecretSpec(): Schema {
  const rewrite = arr(obj({
    regexp: obj({ source: str("RE2 regular expression."), target: str("Replacement ($1 for groups).") }, { required: ["source", "target"] }),
    transform: obj({ template: str("A template over .value.") }, { required: ["template"] }),
  }));
  return obj({
    secretStoreRef: storeRef(),
    refreshInterval: str("How often to read the provider again (Go duration; 0 = once).", { default: "1h" }),
    refreshPolicy: oneOf(["CreatedOnce", "Periodic", "OnChange"], "When to read the provider again."),
    target: target(),
    data: arr(obj({
      secretKey: secretKeyName("Key in the produced Secret."),
      remoteRef: obj(remoteRefFields(), { required: ["key"] }),
      sourceRef: sourceRef(),
    }, { required: ["remoteRef", "secretKey"] })),
    dataFrom: arr(obj({
      extract: obj(remoteRefFields(), { required: ["key"] }),
      find: obj({
        path: str("Root path to search under."),
        name: obj({ regexp: str("RE2 regular expression on the secret's name.") }),
        tags: strMap("Custom metadata that must all match (KV v2)."),
        conversionStrategy: oneOf(["Default", "Unicode"], "How keys are converted.", "Default"),
        decodingStrategy: oneOf(["Auto", "Base64", "Base64URL", "None"], "How values are decoded.", "None"),
      }),
      rewrite,
      sourceRef: sourceRef(),
    })),
  });
}

function externalSecretCrd(): Schema {
  const status = obj({
    refreshTime: str("Time of the last successful sync.", { format: "date-time", nullable: true }),
    syncedResourceVersion: str("Generation and metadata hash of the last synced spec."),
    binding: obj({ name: str(undefined, { default: "" }) }, { "x-kubernetes-map-type": "atomic" }),
    conditions: conditionsSchema(),
  });
  return crd("ExternalSecret", "es", "Namespaced", {
    type: "object",
    description: "A Secret filled from a Vault store.",
    properties: { apiVersion: str(), kind: str(), metadata: { type: "object" }, spec: externalSecretSpec(), status },
  }, [
    { name: "StoreType", type: "string", jsonPath: ".spec.secretStoreRef.kind" },
    { name: "Store", type: "string", jsonPath: ".spec.secretStoreRef.name" },
    { name: "Refresh Interval", type: "string", jsonPath: ".spec.refreshInterval" },
    { name: "Status", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
    { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  ]);
}

function clusterExternalSecretCrd(): Schema {
  const spec = obj({
    externalSecretSpec: externalSecretSpec(),
    externalSecretName: objectName("Name of the ExternalSecrets created (default: the ClusterExternalSecret's name)."),
    externalSecretMetadata: obj({ labels: strMap("Labels of the ExternalSecrets created."), annotations: strMap("Annotations of the ExternalSecrets created.") }),
    namespaceSelector: labelSelector("Namespaces to create the ExternalSecret in, by label (deprecated by ESO in favour of namespaceSelectors)."),
    namespaceSelectors: arr(labelSelector("Namespaces by label."), "Namespaces to create the ExternalSecret in: those any selector matches."),
    namespaces: arr(namespaceName("A namespace."), "Namespaces to create the ExternalSecret in, by name."),
    refreshTime: str("How often namespaces are looked at again (Go duration; default 1h)."),
  }, { required: ["externalSecretSpec"] });
  const status = obj({
    externalSecretName: str("Name of the ExternalSecrets created."),
    provisionedNamespaces: arr(str(), "Namespaces where the ExternalSecret was created or updated."),
    failedNamespaces: arr(obj({ namespace: str(), reason: str() }, { required: ["namespace"] }), "Namespaces where it could not be, and why."),
    conditions: arr(obj({ type: str(), status: str(), message: str() }, { required: ["status", "type"] })),
  });
  return crd("ClusterExternalSecret", "ces", "Cluster", {
    type: "object",
    description: "An ExternalSecret created in every selected namespace.",
    properties: { apiVersion: str(), kind: str(), metadata: { type: "object" }, spec, status },
  }, [
    { name: "Store", type: "string", jsonPath: ".spec.externalSecretSpec.secretStoreRef.name" },
    { name: "Refresh Interval", type: "string", jsonPath: ".spec.refreshTime" },
    { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  ]);
}

function crd(kind: string, short: string, scope: string, schema: Schema, columns: Schema[]): Schema {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.external-secrets.io`, labels: { "app.kubernetes.io/part-of": "sigil" } },
    spec: {
      group: "external-secrets.io",
      scope,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: [short], categories: ["external-secrets"] },
      versions: [{ name: "v1", served: true, storage: true, subresources: { status: {} }, additionalPrinterColumns: columns, schema: { openAPIV3Schema: schema } }],
    },
  };
}

const HEADER = (kind: string): string => `# ${kind} (external-secrets.io/v1), Sigil's own schema, generated by
# scripts/crds/external-secrets.ts (do not edit by hand). It accepts and
# rejects manifests as ESO v0.16.2's CRD does (tested side by side); see
# docs/crds/${kind.toLowerCase()}.md.
`;

/** The four CRDs as file name → YAML text. */
export function externalSecretsCrdFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const add = (kind: string, c: Schema): void => {
    files[`external-secrets.io_${kind.toLowerCase()}s.yaml`] = HEADER(kind) + stringify(c, { lineWidth: 0 });
  };
  add("ExternalSecret", externalSecretCrd());
  add("SecretStore", storeCrd(false));
  add("ClusterSecretStore", storeCrd(true));
  add("ClusterExternalSecret", clusterExternalSecretCrd());
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = fileURLToPath(new URL("../../crds/", import.meta.url));
  for (const [name, text] of Object.entries(externalSecretsCrdFiles())) writeFileSync(dir + name, text);
}
