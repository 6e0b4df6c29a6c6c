/**
 * When a due refresh reads the provider: first syncs and repairs at once
 * (never rate-limited, never spread), periodic refreshes through the
 * store's rate limit, and refreshes already overdue when the controller
 * first sees them (a restart) spread by what they read. The fake client stands
 * in for the API server; the same paths run against the real one in
 * test/integration/external-secrets/controller.test.ts and in
 * bench/external-secrets (restart and create phases).
 */
import { describe, expect, it } from "vitest";
import { LABEL_MANAGED, LABEL_MANAGED_VALUE, ANNOTATION_DATA_HASH, dataHash, decodeSecretData, resourceVersionOf } from "../../../src/external-secrets/index.js";
import type { ExternalSecret, SecretObject } from "../../../src/external-secrets/index.js";
import type { KubeClient } from "../../../src/kube/index.js";
import { FakeKubeClient } from "../../../src/kube/testing/index.js";
import { TokenCache, VaultClients, parseJson } from "../../../src/providers/index.js";
import type { VaultRequest, VaultResponse, VaultTransport } from "../../../src/providers/index.js";
import { reconcileExternalSecret } from "../../../src/operator/external-secrets/reconcile.js";
import type { EsReconcileDeps } from "../../../src/operator/external-secrets/reconcile.js";
import { RefreshSpread, dueAt, isPeriodicRefresh, phaseOf, sourcesOf } from "../../../src/operator/external-secrets/schedule.js";

const NOW = Date.parse("2026-12-03T10:00:00Z");
const HOUR = 3_600_000;
const meta = { name: "es", namespace: "ns", generation: 1 };

function es(path: string, status?: ExternalSecret["status"], extra: Partial<ExternalSecret["metadata"]> = {}): ExternalSecret {
  return {
    apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { ...meta, ...extra },
    spec: { refreshInterval: "1h", secretStoreRef: { name: "vault" }, data: [{ secretKey: "password", remoteRef: { key: path, property: "password" } }] },
    ...(status === undefined ? {} : { status }),
  };
}

/** Synced before, last refreshed `agoMs` ago. */
const synced = (path: string, agoMs: number): ExternalSecret => es(path, { refreshTime: new Date(NOW - agoMs).toISOString().replace(/\.\d{3}Z$/, "Z"), syncedResourceVersion: resourceVersionOf(meta) });

function secret(valid: boolean): SecretObject {
  const data = { password: Buffer.from("v").toString("base64") };
  const hash = dataHash(decodeSecretData(valid ? data : { password: Buffer.from("edited").toString("base64") }));
  return { apiVersion: "v1", kind: "Secret", metadata: { name: "es", namespace: "ns", labels: { [LABEL_MANAGED]: LABEL_MANAGED_VALUE }, annotations: { [ANNOTATION_DATA_HASH]: hash } }, data };
}

/** A client with one Secret (or none) and no stores: a reconcile that gets through reads nothing and writes a failed status. */
function fakeClient(target: SecretObject | undefined): { client: KubeClient; statusWrites: number } {
  const state = { statusWrites: 0 };
  const client = {
    get: (path: string) => Promise.resolve(path.endsWith("/secrets/es") ? target : undefined),
    list: () => Promise.resolve({ items: [], resourceVersion: "1", continue: undefined }),
    replace: (path: string) => {
      if (path.endsWith("/status")) state.statusWrites++;
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  return { client, get statusWrites() { return state.statusWrites; } };
}

function deps(client: KubeClient, spread?: RefreshSpread): EsReconcileDeps & { tokens: number } {
  const d = {
    tokens: 0, client, vault: new VaultClients(), controllerClass: "default", floodGate: true, now: () => NOW,
    event: () => undefined,
    // The store's bucket is empty: anything that asks must wait 5 s.
    takeStoreToken: () => { d.tokens++; return 5; },
    jitterMs: () => 0,
    refreshDelayMs: spread === undefined ? undefined : (key: string, x: ExternalSecret, periodic: boolean) => spread.delayMs(key, x, periodic),
  };
  return d;
}

describe("isPeriodicRefresh", () => {
  it.each([
    { why: "synced, unchanged, Secret intact", x: synced("p1", 2 * HOUR), valid: true, want: true },
    { why: "never synced", x: es("p1"), valid: true, want: false },
    { why: "the Secret is missing or edited", x: synced("p1", 2 * HOUR), valid: false, want: false },
    { why: "spec changed since the sync", x: { ...synced("p1", 2 * HOUR), metadata: { ...meta, generation: 2 } }, valid: true, want: false },
  ])("$why → $want", ({ x, valid, want }) => {
    expect(isPeriodicRefresh(x, valid)).toBe(want);
  });
});

describe("reconcile: what the store's rate limit and the spread hold back", () => {
  it("a new ExternalSecret is read at once, even when the store's bucket is empty", async () => {
    const c = fakeClient(undefined);
    const d = deps(c.client, new RefreshSpread({ windowMs: 60_000, fractionOfInterval: 0.1, now: () => NOW }));
    const out = await reconcileExternalSecret(d, es("p1"));
    expect(d.tokens).toBe(0);
    expect(out.requeueAfterMs).not.toBe(5000);
    expect(c.statusWrites).toBe(1);
  });

  it("an edited Secret is repaired at once", async () => {
    const c = fakeClient(secret(false));
    const d = deps(c.client);
    await reconcileExternalSecret(d, synced("p1", 10_000));
    expect(d.tokens).toBe(0);
    expect(c.statusWrites).toBe(1);
  });

  it("a periodic refresh waits for the store's token", async () => {
    const c = fakeClient(secret(true));
    const d = deps(c.client);
    expect(await reconcileExternalSecret(d, synced("p1", 2 * HOUR))).toEqual({ retry: false, requeueAfterMs: 5000 });
    expect(d.tokens).toBe(1);
    expect(c.statusWrites).toBe(0);
  });

  it("a refresh overdue at the first sight is put off by its spread, then waits for a token", async () => {
    const c = fakeClient(secret(true));
    const spread = new RefreshSpread({ windowMs: 60_000, fractionOfInterval: 0.1, now: () => NOW });
    const d = deps(c.client, spread);
    const x = synced("p1", 2 * HOUR);
    const first = await reconcileExternalSecret(d, x);
    expect(first.requeueAfterMs).toBe(Math.floor(phaseOf(sourcesOf(x)) * 60_000));
    expect(first.requeueAfterMs).toBeGreaterThan(0);
    expect(d.tokens).toBe(0);
    expect(await reconcileExternalSecret(d, x)).toEqual({ retry: false, requeueAfterMs: 5000 });
    expect(d.tokens).toBe(1);
  });
});

describe("RefreshSpread", () => {
  const window = 60_000;

  it("puts off only the first periodic due refresh of a key, by a delay that depends on what it reads", () => {
    let now = NOW;
    const s = new RefreshSpread({ windowMs: window, fractionOfInterval: 0.1, now: () => now });
    const delays = Array.from({ length: 100 }, (_, i) => s.delayMs(`ns/es-${i}`, synced(`p${i % 10}`, 2 * HOUR), true));
    // Ten paths, ten distinct moments within the window; the ten readers of a path share one.
    expect(new Set(delays).size).toBe(10);
    for (let i = 0; i < 100; i++) expect(delays[i]).toBe(delays[i % 10]);
    expect(Math.max(...delays)).toBeLessThan(window);
    expect(s.delayMs("ns/es-0", synced("p0", 2 * HOUR), true)).toBe(0);
    // Counted from the controller's start: a key first seen later is due at the same moment as the others of its path,
    // and one first seen after that moment (a slow first pass) at the same moment of the next window.
    const late = (name: string): ExternalSecret => ({ ...synced("p3", 2 * HOUR), metadata: { ...meta, name } });
    const d3 = delays[3] ?? 0;
    now = NOW + Math.floor(d3 / 2);
    expect(s.delayMs("ns/late-1", late("late-1"), true)).toBe(d3 - Math.floor(d3 / 2));
    now = NOW + d3 + 1000;
    expect(s.delayMs("ns/late-2", late("late-2"), true)).toBe(window - 1000);
    now = NOW + 2 * window + d3 + 1000;
    expect(s.delayMs("ns/late-3", late("late-3"), true)).toBe(window - 1000);
  });

  it("never delays a refresh that is not periodic, and remembers the key", () => {
    const s = new RefreshSpread({ windowMs: window, fractionOfInterval: 0.1, now: () => NOW });
    expect(s.delayMs("ns/es", es("p1"), false)).toBe(0);
    expect(s.delayMs("ns/es", synced("p1", 2 * HOUR), true)).toBe(0);
    s.forget("ns/es");
    expect(s.size).toBe(0);
  });

  it("is at most the jitter fraction of the interval, and none without jitter", () => {
    const short = (p: string): ExternalSecret => ({ ...synced(p, 2 * HOUR), spec: { ...synced(p, 0).spec, refreshInterval: "10s" } });
    const s = new RefreshSpread({ windowMs: window, fractionOfInterval: 0.1, now: () => NOW });
    for (let i = 0; i < 50; i++) expect(s.delayMs(`ns/s${i}`, short(`p${i}`), true)).toBeLessThan(1000);
    const none = new RefreshSpread({ windowMs: window, fractionOfInterval: 0, now: () => NOW });
    expect(none.delayMs("ns/x", synced("p1", 2 * HOUR), true)).toBe(0);
  });

  it("tells sources apart by store, key and version, not by order or duplicates", () => {
    const a = es("p1");
    const twice: ExternalSecret = { ...a, spec: { ...a.spec, data: [...(a.spec?.data ?? []), ...(a.spec?.data ?? [])] } };
    expect(sourcesOf(twice)).toBe(sourcesOf(a));
    expect(sourcesOf(es("p2"))).not.toBe(sourcesOf(a));
    expect(sourcesOf({ ...a, spec: { ...a.spec, secretStoreRef: { name: "other" } } })).not.toBe(sourcesOf(a));
    expect(sourcesOf({ ...a, spec: { ...a.spec, data: [{ secretKey: "k", remoteRef: { key: "p1", version: "2" } }] } })).not.toBe(sourcesOf(a));
  });
});

/** Vault as the controller sees it: every KV read counted (what OpenBao's audit log counts in the integration test and the bench). */
class CountingTransport implements VaultTransport {
  readonly reads: string[] = [];
  send(req: VaultRequest): Promise<VaultResponse> {
    if (req.path.startsWith("secret/data/")) this.reads.push(req.path);
    return Promise.resolve({ status: 200, body: parseJson('{"data":{"data":{"password":"pw"}}}', "t") });
  }
  close(): void { /* nothing */ }
}

describe("restart after a downtime: one read per path", () => {
  const WINDOW = 60_000;

  /** `n` ExternalSecrets reading `secret/p1`, synced two hours before NOW (their target Secrets intact). */
  async function synced2hAgo(n: number): Promise<{ client: FakeKubeClient; items: ExternalSecret[] }> {
    const client = new FakeKubeClient();
    await client.create("/api/v1/namespaces/ns/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "vault-token", namespace: "ns" }, data: { token: Buffer.from("root").toString("base64") } });
    await client.create("/apis/external-secrets.io/v1/namespaces/ns/secretstores", { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "vault", namespace: "ns" }, spec: { provider: { vault: { server: "http://vault:8200", path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token" } } } } } });
    await client.patch("/apis/external-secrets.io/v1/namespaces/ns/secretstores/vault/status", { status: { conditions: [{ type: "Ready", status: "True", reason: "Valid", message: "" }] } }, "merge");
    const vault = new VaultClients({ tokens: new TokenCache(), transport: () => new CountingTransport() });
    const before: EsReconcileDeps = { client, vault, controllerClass: "default", floodGate: true, now: () => NOW - 2 * HOUR, event: () => undefined, takeStoreToken: () => 0, jitterMs: () => 0 };
    const items: ExternalSecret[] = [];
    for (let i = 0; i < n; i++) {
      const x = await client.create<ExternalSecret>("/apis/external-secrets.io/v1/namespaces/ns/externalsecrets", { ...es("p1"), metadata: { name: `es-${i}`, namespace: "ns", generation: 1 } });
      await reconcileExternalSecret(before, x);
      const stored = await client.get<ExternalSecret>(`/apis/external-secrets.io/v1/namespaces/ns/externalsecrets/es-${i}`);
      if (stored === undefined) throw new Error("no ExternalSecret");
      items.push(stored);
    }
    await vault.close();
    return { client, items };
  }

  /**
   * The controller's Vault settings (coalescing for 2 s, answers kept for two spread windows) and reconcile deps on
   * `client`, all on one clock that starts at NOW; reads are counted at the transport.
   */
  function atController(client: KubeClient, extra: (clock: { now: number }) => Partial<EsReconcileDeps> = () => ({})) {
    const clock = { now: NOW };
    const transport = new CountingTransport();
    const vault = new VaultClients({ tokens: new TokenCache({ now: () => clock.now }), transport: () => transport, coalesceWindowMs: 2_000, retainReadsMs: 2 * WINDOW, now: () => clock.now });
    const d: EsReconcileDeps = { client, vault, controllerClass: "default", floodGate: true, now: () => clock.now, event: () => undefined, takeStoreToken: () => 0, jitterMs: () => 0, ...extra(clock) };
    return { clock, transport, vault, d };
  }

  it("readers of a path first seen after its moment take the read made at it, not a read of their own", async () => {
    const { client, items } = await synced2hAgo(10);
    const { clock, transport, vault, d } = atController(client, (c) => {
      const spread = new RefreshSpread({ windowMs: WINDOW, fractionOfInterval: 0.1, now: () => c.now });
      return { refreshDelayMs: (key, x, periodic) => spread.delayMs(key, x, periodic) };
    });
    const run = async (x: ExternalSecret): Promise<number> => (await reconcileExternalSecret(d, x)).requeueAfterMs ?? -1;
    const [early, late] = [items.slice(0, 5), items.slice(5)];
    // The first pass sees half of them before the path's moment: they wait for it and share one read.
    const moment = await run(early[0] as ExternalSecret);
    expect(moment).toBeGreaterThan(0);
    for (const x of early.slice(1)) expect(await run(x)).toBe(moment);
    clock.now = NOW + moment;
    for (const x of early) await run(x);
    expect(transport.reads).toEqual(["secret/data/p1"]);
    // The pass is slow (a loaded API server): the other half is seen 5 s after the moment, waits for the same moment
    // of the next window, and is served by the read made a window earlier (it is newer than their due time).
    clock.now = NOW + moment + 5_000;
    for (const x of late) expect(await run(x)).toBe(WINDOW - 5_000);
    clock.now = NOW + moment + WINDOW;
    for (const x of late) await run(x);
    expect(transport.reads).toEqual(["secret/data/p1"]);
    // All ten were refreshed: Secrets intact, refreshTime moved on.
    for (const x of items) {
      const after = await client.get<ExternalSecret>(`/apis/external-secrets.io/v1/namespaces/ns/externalsecrets/${x.metadata?.name ?? ""}`);
      expect(Date.parse(after?.status?.refreshTime ?? "")).toBeGreaterThanOrEqual(NOW);
    }
    await vault.close();
  });

  it("a periodic refresh never takes a read made before it came due", async () => {
    const { client, items } = await synced2hAgo(2);
    const { clock, transport, vault, d } = atController(client);
    const [a, b] = items as [ExternalSecret, ExternalSecret];
    await reconcileExternalSecret(d, a);
    expect(transport.reads).toHaveLength(1);
    // b was refreshed 30 s after the read: its next refresh comes due after it, and must read again.
    const refreshed = new Date(NOW + 30_000 - HOUR).toISOString().replace(/\.\d{3}Z$/, "Z");
    const bLater: ExternalSecret = { ...b, status: { ...b.status, refreshTime: refreshed } };
    clock.now = NOW + 40_000;
    expect(dueAt(bLater)).toBe(NOW + 30_000);
    await reconcileExternalSecret(d, bLater);
    expect(transport.reads).toHaveLength(2);
    await vault.close();
  });

  it("a retry after a failed sync reads again: its refreshTime is the last success's, so any read since would count", async () => {
    const { client, items } = await synced2hAgo(2);
    const { clock, transport, vault, d } = atController(client);
    const [a, b] = items as [ExternalSecret, ExternalSecret];
    await reconcileExternalSecret(d, a);
    expect(transport.reads).toHaveLength(1);
    const failedB: ExternalSecret = { ...b, status: { ...b.status, conditions: [{ type: "Ready", status: "False", reason: "SecretSyncedError", message: "could not get secret data from provider" }] } };
    expect(dueAt(failedB)).toBeUndefined();
    expect(dueAt(b)).toBeDefined();
    clock.now = NOW + 10_000; // past the coalescing window: only a kept answer could serve it
    await reconcileExternalSecret(d, failedB);
    expect(transport.reads).toHaveLength(2);
    await vault.close();
  });
});
