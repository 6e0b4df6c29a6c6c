/**
 * Store settings that need more than the shared plain-http OpenBao, against
 * a private OpenBao (test/support/bao-private.ts) with a TLS listener,
 * through the store layer (Secrets and ConfigMaps read from the real API
 * server): `caBundle`, `caProvider` (Secret and ConfigMap), `cert` auth with
 * a client certificate from a test CA, `headers` (seen in OpenBao's audit
 * log, which records a request header once it is told to), and `namespace`
 * (OpenBao namespaces, since 2.3).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { TokenCache, VaultClients } from "../../../src/providers/index.js";
import type { SecretStore } from "../../../src/external-secrets/index.js";
import { vaultStoreConfig } from "../../../src/operator/external-secrets/store.js";
import { adminClient, createNamespace, deleteNamespace } from "../../support/bitnami.js";
import { startPrivateBao } from "../../support/bao-private.js";
import type { PrivateBao } from "../../support/bao-private.js";
import { describePeers, uniqueName } from "../../support/peers.js";
import { putSecret } from "./support.js";

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString("utf8");
const b64 = (s: string): string => Buffer.from(s).toString("base64");

describePeers("Vault store settings against OpenBao over TLS, with namespaces", () => {
  let client: HttpKubeClient;
  let ns: string;
  let b: PrivateBao;
  let token: string;
  const clients: VaultClients[] = [];

  const store = (vault: Record<string, unknown>): SecretStore => ({
    apiVersion: "external-secrets.io/v1", kind: "SecretStore",
    metadata: { name: "vault", namespace: ns, uid: randomBytes(4).toString("hex"), generation: 1 },
    spec: { provider: { vault: { server: b.tlsAddr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "token", key: "token" } }, ...vault } } },
  });

  async function read(s: SecretStore, key = "db"): Promise<{ value: string; vault: VaultClients }> {
    const vault = new VaultClients({ tokens: new TokenCache(), coalesceWindowMs: 0 });
    clients.push(vault);
    return { value: text(await vault.kv(await vaultStoreConfig(client, s, ns)).getSecret({ key, property: "password" })), vault };
  }

  async function refused(s: SecretStore): Promise<{ code: string; message: string }> {
    const vault = new VaultClients({ tokens: new TokenCache(), coalesceWindowMs: 0 });
    clients.push(vault);
    const err = await vault.kv(await vaultStoreConfig(client, s, ns)).getSecret({ key: "db", property: "password" }).then(() => undefined, (e: unknown) => e as { code: string; message: string });
    if (err === undefined) throw new Error("the read succeeded");
    return err;
  }

  beforeAll(async () => {
    client = adminClient();
    ns = uniqueName("es-tls");
    await createNamespace(ns, client);
    b = await startPrivateBao();
    await b.call("PUT", "sys/policies/acl/read", { policy: 'path "secret/*" { capabilities = ["read", "list"] }' });
    await b.call("POST", "secret/data/db", { data: { password: "tls-pw" } });
    token = ((await b.call("POST", "auth/token/create", { policies: ["read"], ttl: "1h" }))?.["auth"] as { client_token: string }).client_token;
    await putSecret(client, ns, "token", { token });
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    b.stop();
    await deleteNamespace(ns, client);
  });

  it("caBundle: the server's certificate is checked against the bundle; without it, or with another CA, nothing is read", async () => {
    expect((await read(store({ caBundle: b64(b.serverCaPem) }))).value).toBe("tls-pw");
    // Not a Vault answer: the TLS handshake fails, and the error says so without a body or a value.
    for (const s of [store({}), store({ caBundle: b64(b.clientCaPem) })]) {
      const err = await refused(s);
      expect(err.code).toMatch(/^provider\./);
      expect(err.message).toMatch(/certificate|UNABLE_TO|SELF_SIGNED|unreachable|failed/i);
      expect(err.message).not.toContain("tls-pw");
    }
  });

  it("caProvider: the CA from a Secret key or a ConfigMap key", async () => {
    await putSecret(client, ns, "vault-ca", { "ca.crt": b.serverCaPem });
    await client.create(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "vault-ca" }, data: { "ca.crt": b.serverCaPem } });
    expect((await read(store({ caProvider: { type: "Secret", name: "vault-ca", key: "ca.crt" } }))).value).toBe("tls-pw");
    expect((await read(store({ caProvider: { type: "ConfigMap", name: "vault-ca", key: "ca.crt" } }))).value).toBe("tls-pw");
    const missing = await vaultStoreConfig(client, store({ caProvider: { type: "ConfigMap", name: "vault-ca", key: "nope" } }), ns).then(() => undefined, (e: unknown) => e as { code: string });
    expect(missing?.code).toBe("es.store_invalid");
  });

  it("cert auth: OpenBao's cert method logs in with the client certificate (one login for three reads); a certificate from an unknown CA is denied", async () => {
    await b.call("POST", "sys/auth/cert", { type: "cert" });
    await b.call("POST", "auth/cert/certs/sigil", { certificate: b.clientCaPem, token_policies: ["read"], token_ttl: "1h" });
    await putSecret(client, ns, "client-tls", { "tls.crt": b.client.certPem, "tls.key": b.client.keyPem });
    await putSecret(client, ns, "stranger-tls", { "tls.crt": b.strangerClient.certPem, "tls.key": b.strangerClient.keyPem });
    const cert = (secret: string): SecretStore => store({ caBundle: b64(b.serverCaPem), auth: { cert: { clientCert: { name: secret, key: "tls.crt" }, secretRef: { name: secret, key: "tls.key" } } } });
    const before = b.audit().filter((e) => e.request?.path === "auth/cert/login").length;
    const vault = new VaultClients({ tokens: new TokenCache(), coalesceWindowMs: 0 });
    clients.push(vault);
    const config = await vaultStoreConfig(client, cert("client-tls"), ns);
    for (let i = 0; i < 3; i++) expect(text(await vault.kv(config).getSecret({ key: "db", property: "password" }))).toBe("tls-pw");
    expect(vault.tokens.logins).toBe(1);
    const logins = b.audit().filter((e) => e.request?.path === "auth/cert/login");
    expect(logins.length - before).toBe(1);
    const err = await refused(cert("stranger-tls"));
    // OpenBao answers 400 "invalid certificate or no client certificate supplied".
    expect(err.code).toMatch(/^provider\.(denied|failed)$/);
    expect(err.message).toContain("cert login failed");
    expect(err.message).not.toContain("BEGIN");
  });

  it("headers: every request carries them (OpenBao's audit log records the header once told to)", async () => {
    await b.call("PUT", "sys/config/auditing/request-headers/x-sigil-probe", { hmac: false });
    const probe = `probe-${randomBytes(4).toString("hex")}`;
    await read(store({ caBundle: b64(b.serverCaPem), headers: { "X-Sigil-Probe": probe } }));
    const reads = b.audit().filter((e) => e.request?.path === "secret/data/db");
    const withProbe = reads.filter((e) => e.request?.headers?.["x-sigil-probe"]?.[0] === probe);
    expect(withProbe.length).toBe(1);
    // And a store without headers sends none.
    await read(store({ caBundle: b64(b.serverCaPem) }));
    const last = b.audit().filter((e) => e.request?.path === "secret/data/db").at(-1);
    expect(last?.request?.headers?.["x-sigil-probe"]).toBeUndefined();
  });

  it(`namespace: reads and logins go to the store's OpenBao namespace; auth.namespace moves only the login`, async () => {
    const team = `team-${randomBytes(3).toString("hex")}`;
    await b.call("POST", `sys/namespaces/${team}`, {});
    await b.call("POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } }, team);
    await b.call("POST", "secret/data/db", { data: { password: "team-pw" } }, team);
    await b.call("PUT", "sys/policies/acl/read", { policy: 'path "secret/*" { capabilities = ["read", "list"] }' }, team);
    await b.call("POST", "sys/auth/userpass", { type: "userpass" }, team);
    await b.call("POST", "auth/userpass/users/app", { password: "team-login-pw", token_policies: ["read"] }, team);
    await putSecret(client, ns, "team-login", { password: "team-login-pw" });
    const userPass = { userPass: { path: "userpass", username: "app", secretRef: { name: "team-login", key: "password" } } };
    const inTeam = await read(store({ caBundle: b64(b.serverCaPem), namespace: team, auth: userPass }));
    expect(inTeam.value).toBe("team-pw");
    const seen = b.audit().filter((e) => e.request?.namespace?.path === `${team}/`).map((e) => e.request?.path);
    expect(seen).toContain("auth/userpass/login/app");
    expect(seen).toContain("secret/data/db");
    // The same store without the namespace reads the root namespace's secret (and cannot log in there).
    expect((await read(store({ caBundle: b64(b.serverCaPem) }))).value).toBe("tls-pw");
    expect((await refused(store({ caBundle: b64(b.serverCaPem), auth: userPass }))).code).toMatch(/^provider\.(denied|failed)$/);
    // Login in the root namespace (a root-namespace token with a policy reaching into the team namespace), reads in the team's.
    await b.call("PUT", "sys/policies/acl/team-read", { policy: `path "${team}/secret/*" { capabilities = ["read"] }` });
    await b.call("POST", "sys/auth/userpass", { type: "userpass" }).catch(() => undefined);
    await b.call("POST", "auth/userpass/users/root-app", { password: "root-login-pw", token_policies: ["team-read"] });
    await putSecret(client, ns, "root-login", { password: "root-login-pw" });
    const rootLogin = { namespace: "root", userPass: { path: "userpass", username: "root-app", secretRef: { name: "root-login", key: "password" } } };
    const split = await read(store({ caBundle: b64(b.serverCaPem), namespace: team, auth: rootLogin }));
    expect(split.value).toBe("team-pw");
  });

  it("the environment's OpenBao supports namespaces (2.3 or newer)", () => {
    // Namespaces need OpenBao ≥ 2.3; this file's namespace test pins that they work on the environment's version.
    const [major = 0, minor = 0] = b.version.split(".").map(Number);
    expect(major > 2 || (major === 2 && minor >= 3)).toBe(true);
  });
});
