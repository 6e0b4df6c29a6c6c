/**
 * Every Vault auth method Sigil supports, against the environment's real
 * OpenBao, through the store layer (Kubernetes Secrets and TokenRequest read
 * from the real API server): each reads a KV secret, logs in once for many
 * reads (counted), and a revoked token is replaced by a new login.
 */
import { createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { TokenCache, VaultClients } from "../../../src/providers/index.js";
import type { SecretStore } from "../../../src/external-secrets/index.js";
import { vaultStoreConfig } from "../../../src/operator/external-secrets/store.js";
import { adminClient, createNamespace, deleteNamespace } from "../../support/bitnami.js";
import { describePeers, peers, uniqueName } from "../../support/peers.js";
import { bao, baoOk, kvMount, putSecret, putV1, putV2, readPolicy } from "./support.js";

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString("utf8");

function b64url(x: Buffer | string): string {
  return Buffer.from(x).toString("base64url");
}

describePeers("Vault auth methods against OpenBao", () => {
  let client: HttpKubeClient;
  let ns: string;
  let kv2: string;
  let kv1: string;
  let policy: string;
  const u = randomBytes(3).toString("hex");
  const clients: VaultClients[] = [];

  const store = (auth: Record<string, unknown>, extra: Record<string, unknown> = {}): SecretStore => ({
    apiVersion: "external-secrets.io/v1", kind: "SecretStore",
    metadata: { name: "vault", namespace: ns, uid: randomBytes(4).toString("hex"), generation: 1 },
    spec: { provider: { vault: { server: peers().vault.addr, path: kv2, version: "v2", auth, ...extra } } },
  });

  async function readThrice(s: SecretStore): Promise<{ values: string[]; logins: number; vault: VaultClients }> {
    const vault = new VaultClients({ tokens: new TokenCache(), coalesceWindowMs: 0 });
    clients.push(vault);
    const values: string[] = [];
    for (let i = 0; i < 3; i++) {
      const kv = vault.kv(await vaultStoreConfig(client, s, ns));
      values.push(text(await kv.getSecret({ key: "db", property: "password" })));
    }
    return { values, logins: vault.tokens.logins, vault };
  }

  beforeAll(async () => {
    client = adminClient();
    ns = uniqueName("es-auth");
    await createNamespace(ns, client);
    kv2 = await kvMount("es-kv2", 2);
    kv1 = await kvMount("es-kv1", 1);
    await putV2(kv2, "db", { password: "pw-v2" });
    await putV1(kv1, "db", { password: "pw-v1" });
    policy = await readPolicy([kv2, kv1]);
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await deleteNamespace(ns, client);
    for (const m of [kv2, kv1]) await bao("DELETE", `sys/mounts/${m}`);
  });

  it("tokenSecretRef: the Secret's token is used as is (no login)", async () => {
    const tok = await baoOk("POST", "auth/token/create", { policies: [policy], ttl: "1h" });
    await putSecret(client, ns, "vault-token", { token: (tok?.["auth"] as { client_token: string }).client_token });
    const r = await readThrice(store({ tokenSecretRef: { name: "vault-token", key: "token" } }));
    expect(r.values).toEqual(["pw-v2", "pw-v2", "pw-v2"]);
    expect(r.logins).toBe(0);
  });

  it("appRole with roleId and with roleRef: one login for three reads, and a revoked token is replaced", async () => {
    const path = `approle-${u}`;
    await baoOk("POST", `sys/auth/${path}`, { type: "approle" });
    await baoOk("POST", `auth/${path}/role/es`, { token_policies: [policy], token_ttl: "1h" });
    const roleId = ((await baoOk("GET", `auth/${path}/role/es/role-id`))?.["data"] as { role_id: string }).role_id;
    const secretId = ((await baoOk("POST", `auth/${path}/role/es/secret-id`))?.["data"] as { secret_id: string }).secret_id;
    await putSecret(client, ns, "approle", { "secret-id": secretId, "role-id": roleId });
    const r = await readThrice(store({ appRole: { path, roleId, secretRef: { name: "approle", key: "secret-id" } } }));
    expect(r.values).toEqual(["pw-v2", "pw-v2", "pw-v2"]);
    expect(r.logins).toBe(1);
    const viaRef = await readThrice(store({ appRole: { path, roleRef: { name: "approle", key: "role-id" }, secretRef: { name: "approle", key: "secret-id" } } }));
    expect(viaRef.logins).toBe(1);

    // Revoke every token of the role's accessor list: the next read logs in again.
    const s = store({ appRole: { path, roleId, secretRef: { name: "approle", key: "secret-id" } } });
    const vault = r.vault;
    const config = await vaultStoreConfig(client, { ...s, metadata: { ...s.metadata, uid: "fixed" } }, ns);
    expect(text(await vault.kv(config).getSecret({ key: "db", property: "password" }))).toBe("pw-v2");
    const before = vault.tokens.logins;
    const accessors = ((await baoOk("LIST", "auth/token/accessors"))?.["data"] as { keys: string[] }).keys;
    for (const a of accessors) {
      const info = await bao("POST", "auth/token/lookup-accessor", { accessor: a });
      const meta = (info.json?.["data"] as { path?: string } | undefined)?.path ?? "";
      if (meta.startsWith(`auth/${path}/`)) await bao("POST", "auth/token/revoke-accessor", { accessor: a });
    }
    expect(text(await vault.kv(config).getSecret({ key: "db", property: "password" }))).toBe("pw-v2");
    expect(vault.tokens.logins).toBe(before + 1);
  });

  it("userPass", async () => {
    const path = `userpass-${u}`;
    await baoOk("POST", `sys/auth/${path}`, { type: "userpass" });
    await baoOk("POST", `auth/${path}/users/app`, { password: "user-pw-canary", token_policies: [policy] });
    await putSecret(client, ns, "userpass", { password: "user-pw-canary" });
    const r = await readThrice(store({ userPass: { path, username: "app", secretRef: { name: "userpass", key: "password" } } }));
    expect(r.values).toEqual(["pw-v2", "pw-v2", "pw-v2"]);
    expect(r.logins).toBe(1);
  });

  it("jwt with a signed token from a Secret", async () => {
    const path = `jwt-${u}`;
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await baoOk("POST", `sys/auth/${path}`, { type: "jwt" });
    await baoOk("POST", `auth/${path}/config`, { jwt_validation_pubkeys: [publicKey.export({ type: "spki", format: "pem" }).toString()] });
    await baoOk("POST", `auth/${path}/role/es`, { role_type: "jwt", bound_audiences: ["vault"], user_claim: "sub", token_policies: [policy] });
    const now = Math.floor(Date.now() / 1000);
    const head = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
    const body = b64url(JSON.stringify({ sub: "app", aud: "vault", iat: now, exp: now + 600 }));
    const sig = createSign("RSA-SHA256").update(`${head}.${body}`).sign(privateKey);
    await putSecret(client, ns, "jwt", { token: `${head}.${body}.${b64url(sig)}` });
    const r = await readThrice(store({ jwt: { path, role: "es", secretRef: { name: "jwt", key: "token" } } }));
    expect(r.values).toEqual(["pw-v2", "pw-v2", "pw-v2"]);
    expect(r.logins).toBe(1);
  });

  it("kubernetes with serviceAccountRef (TokenRequest with audiences), OpenBao checking it with the API server's TokenReview", async () => {
    const env = peers();
    const path = `kubernetes-${u}`;
    await client.create(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "eso-sa" } });
    await baoOk("POST", `sys/auth/${path}`, { type: "kubernetes" });
    await baoOk("POST", `auth/${path}/config`, {
      kubernetes_host: env.kube.server, kubernetes_ca_cert: readFileSync(env.kube.caFile, "utf8"), token_reviewer_jwt: env.kube.adminToken, disable_local_ca_jwt: true,
    });
    await baoOk("POST", `auth/${path}/role/es`, { bound_service_account_names: ["eso-sa"], bound_service_account_namespaces: [ns], audience: "vault", token_policies: [policy] });
    const r = await readThrice(store({ kubernetes: { mountPath: path, role: "es", serviceAccountRef: { name: "eso-sa", audiences: ["vault"] } } }));
    expect(r.values).toEqual(["pw-v2", "pw-v2", "pw-v2"]);
    expect(r.logins).toBe(1);
  });

  it("KV v1 through a store with version v1", async () => {
    const tok = await baoOk("POST", "auth/token/create", { policies: [policy], ttl: "1h" });
    await putSecret(client, ns, "vault-token-v1", { token: (tok?.["auth"] as { client_token: string }).client_token });
    const s = store({ tokenSecretRef: { name: "vault-token-v1", key: "token" } });
    s.spec = { provider: { vault: { server: peers().vault.addr, path: kv1, version: "v1", auth: { tokenSecretRef: { name: "vault-token-v1", key: "token" } } } } };
    const vault = new VaultClients();
    clients.push(vault);
    expect(text(await vault.kv(await vaultStoreConfig(client, s, ns)).getSecret({ key: "db", property: "password" }))).toBe("pw-v1");
  });

  it("revokes login tokens on close", async () => {
    const path = `approle2-${u}`;
    await baoOk("POST", `sys/auth/${path}`, { type: "approle" });
    await baoOk("POST", `auth/${path}/role/es`, { token_policies: [policy], token_ttl: "1h" });
    const roleId = ((await baoOk("GET", `auth/${path}/role/es/role-id`))?.["data"] as { role_id: string }).role_id;
    const secretId = ((await baoOk("POST", `auth/${path}/role/es/secret-id`))?.["data"] as { secret_id: string }).secret_id;
    await putSecret(client, ns, "approle2", { "secret-id": secretId });
    let seenToken = "";
    const vault = new VaultClients({ tokens: new TokenCache() });
    const config = await vaultStoreConfig(client, store({ appRole: { path, roleId, secretRef: { name: "approle2", key: "secret-id" } } }), ns);
    const login = config.login;
    const kv = vault.kv({ ...config, login: async () => { const l = await login(); return l; } });
    await kv.getSecret({ key: "db" });
    const accessors = ((await baoOk("LIST", "auth/token/accessors"))?.["data"] as { keys: string[] }).keys;
    for (const a of accessors) {
      const info = await bao("POST", "auth/token/lookup-accessor", { accessor: a });
      if (((info.json?.["data"] as { path?: string } | undefined)?.path ?? "").startsWith(`auth/${path}/`)) seenToken = a;
    }
    expect(seenToken).not.toBe("");
    await vault.close();
    expect((await bao("POST", "auth/token/lookup-accessor", { accessor: seenToken })).status).toBe(400);
  });
});
