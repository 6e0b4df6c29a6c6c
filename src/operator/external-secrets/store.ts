/**
 * From a SecretStore / ClusterSecretStore to a Vault KV reader: the checks ESO's
 * client manager makes (controller class, ClusterSecretStore `conditions`,
 * provider), then the connection and the login with credentials resolved on demand.
 */
import { SigilError } from "../../core/index.js";
import type { KubeClient } from "../../kube/index.js";
import { defaultVaultConnection } from "../../providers/index.js";
import type { VaultConnection, VaultLogin, VaultStoreConfig } from "../../providers/index.js";
import type { SecretStore, VaultAuthSpec, VaultProviderSpec } from "../../external-secrets/index.js";
import { configMapValue, secretKeyValue, serviceAccountToken } from "./credentials.js";
import type { RefScope } from "./credentials.js";

/** The Vault provider of a store, or an error naming what is unsupported. */
export function vaultProviderOf(store: SecretStore): VaultProviderSpec {
  const provider = store.spec?.provider ?? {};
  const names = Object.keys(provider);
  const vault = provider.vault;
  if (vault === undefined) {
    throw new SigilError("es.store_invalid", `provider ${JSON.stringify(names[0] ?? "")} is not supported by sigil (only vault)`, { subject: storeSubject(store) });
  }
  const auth = vault.auth ?? {};
  for (const m of ["ldap", "iam", "gcp"] as const) {
    if (auth[m] !== undefined) throw new SigilError("es.store_invalid", `vault auth method ${m} is not supported by sigil`, { subject: storeSubject(store) });
  }
  if (vault.server === undefined || vault.server === "") throw new SigilError("es.store_invalid", "vault server is required", { subject: storeSubject(store) });
  return vault;
}

/** `Kind/namespace/name` of a store. */
export function storeSubject(store: SecretStore): string {
  const m = store.metadata ?? {};
  return `${store.kind ?? "SecretStore"}/${m.namespace === undefined ? "" : `${m.namespace}/`}${m.name ?? ""}`;
}

async function caPem(scope: RefScope, v: VaultProviderSpec): Promise<string | undefined> {
  if (v.caBundle !== undefined && v.caBundle !== "") return Buffer.from(v.caBundle, "base64").toString("utf8");
  const p = v.caProvider;
  if (p === undefined) return undefined;
  if (p.type === "ConfigMap") return configMapValue(scope, p.name ?? "", p.key ?? "", p.namespace);
  return secretKeyValue(scope, { name: p.name ?? "", key: p.key ?? "", ...(p.namespace === undefined ? {} : { namespace: p.namespace }) }, "caProvider");
}

async function connectionOf(scope: RefScope, v: VaultProviderSpec): Promise<VaultConnection> {
  const base = defaultVaultConnection(v.server ?? "");
  const auth = v.auth ?? {};
  const certRef = auth.cert?.clientCert ?? v.tls?.certSecretRef;
  const keyRef = auth.cert?.secretRef ?? v.tls?.keySecretRef;
  const ca = await caPem(scope, v);
  return {
    ...base,
    headers: { ...(v.headers ?? {}) },
    forwardInconsistent: v.forwardInconsistent === true,
    readYourWrites: v.readYourWrites === true,
    ...(ca === undefined ? {} : { caPem: ca }),
    ...(certRef !== undefined && keyRef !== undefined
      ? { clientCertPem: await secretKeyValue(scope, certRef, "client certificate"), clientKeyPem: await secretKeyValue(scope, keyRef, "client key") }
      : {}),
  };
}

/** The login of `auth`, credentials read now (ESO's precedence: token, appRole, kubernetes, userPass, jwt, cert). */
export async function loginOf(scope: RefScope, auth: VaultAuthSpec): Promise<VaultLogin> {
  if (auth.tokenSecretRef !== undefined) return { method: "token", token: (await secretKeyValue(scope, auth.tokenSecretRef, "tokenSecretRef")).trim() };
  if (auth.appRole !== undefined) {
    const a = auth.appRole;
    const roleId = a.roleId !== undefined && a.roleId !== "" ? a.roleId : await secretKeyValue(scope, a.roleRef, "appRole.roleRef");
    return { method: "appRole", path: a.path ?? "approle", roleId, secretId: await secretKeyValue(scope, a.secretRef, "appRole.secretRef") };
  }
  if (auth.kubernetes !== undefined) {
    const k = auth.kubernetes;
    const jwt = k.serviceAccountRef !== undefined
      ? await serviceAccountToken(scope, k.serviceAccountRef, k.serviceAccountRef.audiences)
      : await secretKeyValue(scope, k.secretRef, "kubernetes.secretRef", "token");
    return { method: "kubernetes", path: k.mountPath ?? "kubernetes", role: k.role ?? "", jwt };
  }
  if (auth.userPass !== undefined) {
    const u = auth.userPass;
    return { method: "userPass", path: u.path ?? "userpass", username: u.username ?? "", password: await secretKeyValue(scope, u.secretRef, "userPass.secretRef") };
  }
  if (auth.jwt !== undefined) {
    const j = auth.jwt;
    const sat = j.kubernetesServiceAccountToken;
    const jwt = sat !== undefined
      ? await serviceAccountToken(scope, sat.serviceAccountRef, sat.audiences ?? sat.serviceAccountRef?.audiences, sat.expirationSeconds ?? 600)
      : await secretKeyValue(scope, j.secretRef, "jwt.secretRef");
    return { method: "jwt", path: j.path ?? "jwt", role: j.role ?? "", jwt };
  }
  if (auth.cert !== undefined) return { method: "cert" };
  throw new SigilError("es.store_invalid", "no vault auth method is configured", { subject: "auth" });
}

/**
 * The Vault KV config of `store` for an ExternalSecret in `namespace`.
 * @throws SigilError `es.store_invalid` (unsupported provider or auth, missing references).
 */
export async function vaultStoreConfig(client: KubeClient, store: SecretStore, namespace: string): Promise<VaultStoreConfig> {
  const v = vaultProviderOf(store);
  const cluster = store.kind === "ClusterSecretStore";
  const scope: RefScope = { client, cluster, namespace: cluster ? namespace : (store.metadata?.namespace ?? namespace) };
  const m = store.metadata ?? {};
  const owner = `${storeSubject(store)}#${m.uid ?? ""}${cluster ? `/${namespace}` : ""}`;
  const key = `${storeSubject(store)}#${m.uid ?? ""}@${String(m.generation ?? 0)}${cluster ? `/${namespace}` : ""}`;
  return {
    key,
    owner,
    connection: await connectionOf(scope, v),
    kv: { mount: v.path === "" ? undefined : v.path, version: v.version === "v1" ? "v1" : "v2", namespace: v.namespace },
    authNamespace: v.auth?.namespace ?? v.namespace,
    login: () => loginOf(scope, v.auth ?? {}),
  };
}
