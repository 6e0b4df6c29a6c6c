/** Store GETs answered from the watch cache only for Ready stores; everything else reaches the API server (the real-peer path: test/integration/external-secrets/controller.test.ts, whose controller reads its stores this way). */
import { describe, expect, it } from "vitest";
import type { SecretStore } from "../../../src/external-secrets/index.js";
import type { KubeClient } from "../../../src/kube/index.js";
import { storeKeyOf, withCachedStores } from "../../../src/operator/external-secrets/store-cache.js";

const ready = (name: string, status: "True" | "False"): SecretStore => ({ apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name, namespace: "ns" }, spec: {}, status: { conditions: [{ type: "Ready", status }] } });

function api(): { client: KubeClient; gets: string[] } {
  const gets: string[] = [];
  const client = {
    get: (path: string) => {
      gets.push(path);
      return Promise.resolve({ from: "api" });
    },
  } as unknown as KubeClient;
  return { client, gets };
}

describe("storeKeyOf", () => {
  it.each([
    ["/apis/external-secrets.io/v1/namespaces/ns/secretstores/vault", { kind: "SecretStore", key: "ns/vault" }],
    ["/apis/external-secrets.io/v1/clustersecretstores/vault", { kind: "ClusterSecretStore", key: "/vault" }],
    ["/api/v1/namespaces/ns/secrets/vault", undefined],
    ["/apis/external-secrets.io/v1/namespaces/ns/secretstores/vault/status", undefined],
    ["/apis/external-secrets.io/v1/namespaces/ns/externalsecrets/vault", undefined],
  ])("%s", (path, want) => {
    expect(storeKeyOf(path)).toEqual(want);
  });
});

describe("withCachedStores", () => {
  const cache = new Map<string, SecretStore>([["SecretStore ns/ok", ready("ok", "True")], ["SecretStore ns/down", ready("down", "False")]]);
  const lookup = (kind: string, key: string): SecretStore | undefined => cache.get(`${kind} ${key}`);

  it("answers a Ready store from the cache, as a copy", async () => {
    const { client, gets } = api();
    const c = withCachedStores(client, lookup);
    const got = await c.get<SecretStore>("/apis/external-secrets.io/v1/namespaces/ns/secretstores/ok");
    expect(got?.metadata?.name).toBe("ok");
    expect(gets).toEqual([]);
    got!.kind = "changed";
    expect(cache.get("SecretStore ns/ok")?.kind).toBe("SecretStore");
  });

  it("reads a store that is not Ready, not cached, or asked with a query from the API server, and anything else", async () => {
    const { client, gets } = api();
    const c = withCachedStores(client, lookup);
    await c.get("/apis/external-secrets.io/v1/namespaces/ns/secretstores/down");
    await c.get("/apis/external-secrets.io/v1/namespaces/ns/secretstores/missing");
    await c.get("/apis/external-secrets.io/v1/namespaces/ns/secretstores/ok", { resourceVersion: "0" });
    await c.get("/api/v1/namespaces/ns/secrets/ok");
    expect(gets).toHaveLength(4);
  });
});
