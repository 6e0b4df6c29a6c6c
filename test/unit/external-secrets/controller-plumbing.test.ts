/**
 * The ExternalSecrets controller's plumbing against the in-memory client
 * (the same paths run against the real API server in
 * test/integration/external-secrets): how often stores are read, the field
 * manager of Secret writes, the one status writer, the target index, and
 * the Vault transports' lifetime.
 */
import { describe, expect, it } from "vitest";
import type { Query } from "../../../src/kube/index.js";
import { Indexer } from "../../../src/kube/runtime/index.js";
import { FakeKubeClient } from "../../../src/kube/testing/index.js";
import { parseJson, TokenCache, VaultClients } from "../../../src/providers/index.js";
import type { JsonValue, VaultConnection, VaultRequest, VaultResponse, VaultStoreConfig, VaultTransport } from "../../../src/providers/index.js";
import type { ExternalSecret, SecretStore } from "../../../src/external-secrets/index.js";
import { reconcileExternalSecret } from "../../../src/operator/external-secrets/index.js";
import type { EsReconcileDeps } from "../../../src/operator/external-secrets/index.js";
import { foreignByCache } from "../../../src/operator/external-secrets/resolve.js";
import { secretUnchanged } from "../../../src/operator/external-secrets/secret-write.js";
import { writeStatus } from "../../../src/operator/external-secrets/status.js";
import { CLUSTER_SECRET_STORES, EXTERNAL_SECRETS } from "../../../src/operator/external-secrets/resources.js";

class CountingClient extends FakeKubeClient {
  readonly gets: string[] = [];
  readonly writeQueries: (Query | undefined)[] = [];
  override get<T>(path: string): Promise<T | undefined> {
    this.gets.push(path);
    return super.get<T>(path);
  }
  override create<T>(path: string, body: unknown, query?: Query): Promise<T> {
    this.writeQueries.push(query);
    return super.create<T>(path, body);
  }
  override replace<T>(path: string, body: unknown, query?: Query): Promise<T> {
    this.writeQueries.push(query);
    return super.replace<T>(path, body);
  }
}

class FakeTransport implements VaultTransport {
  closed = false;
  constructor(readonly connection: VaultConnection) {}
  send(req: VaultRequest): Promise<VaultResponse> {
    const body: JsonValue = req.path.startsWith("secret/data/") ? parseJson('{"data":{"data":{"password":"pw"}}}', "t") : null;
    return Promise.resolve({ status: 200, body });
  }
  close(): void {
    this.closed = true;
  }
}

const conn = (server: string): VaultConnection => ({ server, headers: {}, forwardInconsistent: false, readYourWrites: false, timeoutMs: 1000, maxResponseBytes: 1 << 20 });

async function seed(client: FakeKubeClient, ns: string): Promise<ExternalSecret> {
  await client.create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "vault-token", namespace: ns }, data: { token: Buffer.from("root").toString("base64") } });
  const store: SecretStore = {
    apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "vault", namespace: ns },
    spec: { provider: { vault: { server: "http://vault:8200", path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token" } } } } },
  };
  await client.create(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores`, store);
  await client.patch(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores/vault/status`, { status: { conditions: [{ type: "Ready", status: "True", reason: "Valid", message: "" }] } }, "merge");
  const es: ExternalSecret = {
    apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "db", namespace: ns },
    spec: { secretStoreRef: { name: "vault", kind: "SecretStore" }, refreshInterval: "1h", target: { name: "db-creds" }, data: [{ secretKey: "password", remoteRef: { key: "db", property: "password" } }] },
  };
  return client.create<ExternalSecret>(`/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`, es);
}

function deps(client: FakeKubeClient, vault: VaultClients): EsReconcileDeps {
  return {
    client, vault, controllerClass: "default", floodGate: true, now: () => 1_700_000_000_000,
    event: () => undefined, takeStoreToken: () => 0, jitterMs: () => 0,
  };
}

describe("ExternalSecret reconcile plumbing", () => {
  it("reads each referenced store once per reconcile, and writes the Secret under ESO's field manager as a query", async () => {
    const client = new CountingClient();
    const es = await seed(client, "team");
    const vault = new VaultClients({ tokens: new TokenCache(), transport: (c) => new FakeTransport(c) });
    client.gets.length = 0;
    await reconcileExternalSecret(deps(client, vault), es);
    expect(client.gets.filter((p) => p.includes("/secretstores/"))).toEqual(["/apis/external-secrets.io/v1/namespaces/team/secretstores/vault"]);
    const secret = await client.get<{ data?: Record<string, string> }>("/api/v1/namespaces/team/secrets/db-creds");
    expect(secret?.data?.["password"]).toBe(Buffer.from("pw").toString("base64"));
    expect(client.writeQueries[client.writeQueries.length - 2]).toEqual({ fieldManager: "externalsecrets.external-secrets.io/db" });
    await vault.close();
  });

  it("writes status through one writer: nothing when only key order differs, the cluster path for a cluster-scoped object", async () => {
    const client = new CountingClient();
    const es = await seed(client, "team");
    const withStatus = { ...es, status: { refreshTime: "t", binding: { name: "x" } } };
    const before = client.writes;
    expect(await writeStatus(client, EXTERNAL_SECRETS, withStatus, { binding: { name: "x" }, refreshTime: "t" })).toBe(true);
    expect(client.writes).toBe(before);
    const css = await client.create<SecretStore>("/apis/external-secrets.io/v1/clustersecretstores", { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "shared" } });
    expect(await writeStatus(client, CLUSTER_SECRET_STORES, css, { conditions: [{ type: "Ready", status: "True", reason: "Valid", message: "" }] })).toBe(true);
    expect((await client.get<SecretStore>("/apis/external-secrets.io/v1/clustersecretstores/shared"))?.status?.conditions?.[0]?.reason).toBe("Valid");
    expect(await writeStatus(client, CLUSTER_SECRET_STORES, { ...css, metadata: { ...css.metadata, resourceVersion: "1" } }, { conditions: [] })).toBe(false);
  });

  it("compares Secrets with the shared sameSecret view plus immutability", () => {
    const a = { metadata: { labels: { a: "1", b: "2" } }, data: { x: "eA==", y: "eQ==" } };
    const b = { metadata: { labels: { b: "2", a: "1" } }, data: { y: "eQ==", x: "eA==" }, type: "Opaque" };
    expect(secretUnchanged(a, b)).toBe(true);
    expect(secretUnchanged(a, { ...b, immutable: true })).toBe(false);
    expect(secretUnchanged(a, { ...b, data: { x: "eg==", y: "eQ==" } })).toBe(false);
  });
});

describe("Indexer", () => {
  it("files objects under their values and re-files them on update and delete", () => {
    const idx = new Indexer<{ target: string }>((_k, o) => [o.target]);
    const h = idx.handler();
    h.added?.("ns/a", { target: "ns/s1" }, true);
    h.added?.("ns/b", { target: "ns/s1" }, false);
    expect(idx.lookup("ns/s1").sort()).toEqual(["ns/a", "ns/b"]);
    h.updated?.("ns/a", { target: "ns/s1" }, { target: "ns/s2" });
    expect(idx.lookup("ns/s1")).toEqual(["ns/b"]);
    expect(idx.lookup("ns/s2")).toEqual(["ns/a"]);
    h.deleted?.("ns/b", { target: "ns/s1" });
    expect(idx.lookup("ns/s1")).toEqual([]);
  });
});

describe("Vault transports", () => {
  const config = (owner: string, server: string): VaultStoreConfig => ({ key: `${owner}@1`, owner, connection: conn(server), kv: { mount: "secret", version: "v2" }, login: () => Promise.resolve({ method: "token", token: "t" }) });

  it("share one transport per connection, close the old one when a store moves, on forget, and on close", async () => {
    const made: FakeTransport[] = [];
    const vault = new VaultClients({ tokens: new TokenCache(), transport: (c) => { const t = new FakeTransport(c); made.push(t); return t; } });
    const a = config("SecretStore/ns/a#u1", "http://v1");
    for (let i = 0; i < 50; i++) await vault.kv(a).getSecret({ key: "db", property: "password" });
    vault.kv(config("SecretStore/ns/b#u2", "http://v1"));
    expect(made).toHaveLength(1);
    vault.kv(config("SecretStore/ns/a#u1", "http://v2"));
    expect(made).toHaveLength(2);
    expect(made[0]?.closed).toBe(false); // still used by b
    vault.kv(config("SecretStore/ns/b#u2", "http://v2"));
    expect(made[0]?.closed).toBe(true);
    expect(vault.transportCount).toBe(1);
    vault.forget("SecretStore/ns/a#");
    expect(made[1]?.closed).toBe(false);
    vault.forget("SecretStore/ns/b#");
    expect(made[1]?.closed).toBe(true);
    expect(vault.transportCount).toBe(0);
    vault.kv(a);
    await vault.close();
    expect(made[2]?.closed).toBe(true);
  });
});

describe("foreignByCache (which watch events queue nothing)", () => {
  const store = (cls: string | undefined): SecretStore => ({ apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "s" }, spec: { ...(cls === undefined ? {} : { controller: cls }) } });
  const es = (ref: { name: string; kind?: "SecretStore" | "ClusterSecretStore" }, extra?: { name: string; kind?: "SecretStore" | "ClusterSecretStore" }): ExternalSecret => ({
    apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "x", namespace: "team" },
    spec: { secretStoreRef: ref, data: extra === undefined ? [] : [{ secretKey: "k", remoteRef: { key: "p" }, sourceRef: { storeRef: extra } }] },
  });
  const caches: Record<string, SecretStore> = { "SecretStore team/eso": store("eso"), "SecretStore team/ours": store("sigil"), "SecretStore team/any": store(undefined), "ClusterSecretStore /eso": store("eso") };
  const cached = (kind: string, key: string): SecretStore | undefined => caches[`${kind} ${key}`];

  it.each([
    { why: "its store is another class's", x: es({ name: "eso" }), want: true },
    { why: "its ClusterSecretStore is another class's", x: es({ name: "eso", kind: "ClusterSecretStore" }), want: true },
    { why: "one of its data stores is another class's", x: es({ name: "ours" }, { name: "eso" }), want: true },
    { why: "its store is ours", x: es({ name: "ours" }), want: false },
    { why: "its store has no class", x: es({ name: "any" }), want: false },
    { why: "its store is not cached (the reconcile asks the API server)", x: es({ name: "gone" }), want: false },
  ])("$why → $want", ({ x, want }) => {
    expect(foreignByCache(x, cached, "sigil")).toBe(want);
  });
});
