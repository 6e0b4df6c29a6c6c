/**
 * Differential test against the real ESO controller (v0.16.2): every
 * scenario of `differential-cases.ts` is set up twice on the same API server
 * over the same OpenBao data, once for ESO and once for Sigil (each side's
 * stores carry its controller class, so each controller takes only its own).
 * The produced Secrets (type, data, ESO's labels and annotations, owner,
 * immutability), the ExternalSecrets' Ready condition, and what is left after
 * the ExternalSecrets are deleted must match; known differences are listed
 * in docs/external-secrets-compatibility.md and pinned in compatibility.test.ts.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { ownerLabel } from "../../../src/external-secrets/index.js";
import type { ExternalSecret, SecretObject } from "../../../src/external-secrets/index.js";
import { adminClient, createNamespace, deleteNamespace, waitFor } from "../../support/bitnami.js";
import { ensureEsoCrds, startEsoController } from "../../support/eso.js";
import type { RunningEsoController } from "../../support/eso.js";
import { describePeers, peers } from "../../support/peers.js";
import { DIFF_CASES, VAULT_V1, VAULT_V2 } from "./differential-cases.js";
import type { DiffCase } from "./differential-cases.js";
import { bao, kvMount, putSecret, putV1, putV2 } from "./support.js";
import { startSigil } from "./sigil-driver.js";
import type { RunningSigil } from "./sigil-driver.js";

const ESO_CLASS = "eso-diff";
const SIGIL_CLASS = "sigil-diff";
const ES_PATH = (ns: string): string => `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`;

interface Side { readonly ns: string; readonly cls: string; readonly clusterStore: string }

describePeers("ExternalSecrets: Sigil against the real ESO controller", () => {
  let client: HttpKubeClient;
  let v2: string;
  let v1: string;
  let eso: RunningEsoController | undefined;
  let sigil: RunningSigil | undefined;
  const run = randomBytes(3).toString("hex");
  const sides: { eso: Side; sigil: Side }[] = [];

  async function setupSide(c: DiffCase, side: Side): Promise<void> {
    await createNamespace(side.ns, client);
    await putSecret(client, side.ns, "vault-token", { token: peers().vault.token });
    const mount = c.store === "v1" ? v1 : v2;
    const vault = { server: peers().vault.addr, path: mount, version: c.store === "v1" ? "v1" : "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token", ...(c.store === "cluster-forbidden" ? { namespace: side.ns } : {}) } } };
    if (c.store === "cluster-forbidden") {
      await client.create("/apis/external-secrets.io/v1/clustersecretstores", { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: side.clusterStore }, spec: { controller: side.cls, conditions: [{ namespaces: ["nowhere"] }], provider: { vault } } });
    } else {
      await client.create(`/apis/external-secrets.io/v1/namespaces/${side.ns}/secretstores`, { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "vault" }, spec: { controller: side.cls, provider: { vault } } });
    }
    if (c.setup?.secret !== undefined) await putSecret(client, side.ns, "es", c.setup.secret);
    if (c.setup?.configMap !== undefined) await client.create(`/api/v1/namespaces/${side.ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "tpl" }, data: c.setup.configMap });
    const storeRef = c.store === "cluster-forbidden" ? { name: side.clusterStore, kind: "ClusterSecretStore" } : { name: "vault", kind: "SecretStore" };
    await client.create(ES_PATH(side.ns), { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "es", ...(c.meta ?? {}) }, spec: { refreshInterval: "1h", secretStoreRef: storeRef, ...c.spec } });
  }

  beforeAll(async () => {
    client = adminClient();
    await ensureEsoCrds(client);
    v2 = await kvMount("es-diff2", 2);
    v1 = await kvMount("es-diff1", 1);
    for (const [k, v] of Object.entries(VAULT_V2)) {
      await putV2(v2, k, k === "db" ? { ...v.data, password: "old-canary" } : v.data, v.meta);
      if (k === "db") await putV2(v2, k, v.data);
    }
    for (const [k, v] of Object.entries(VAULT_V1)) await putV1(v1, k, v);
    for (const [i, c] of DIFF_CASES.entries()) {
      const pair = {
        eso: { ns: `d${i}-eso-${run}`, cls: ESO_CLASS, clusterStore: `d${i}-eso-${run}` },
        sigil: { ns: `d${i}-sig-${run}`, cls: SIGIL_CLASS, clusterStore: `d${i}-sig-${run}` },
      };
      sides.push(pair);
      await setupSide(c, pair.eso);
      await setupSide(c, pair.sigil);
    }
    eso = await startEsoController({ controllerClass: ESO_CLASS });
    sigil = await startSigil({ controllerClass: SIGIL_CLASS, namespaces: sides.map((s) => s.sigil.ns) });
  });

  afterAll(async () => {
    await eso?.stop();
    await sigil?.stop();
    for (const s of sides) {
      await deleteNamespace(s.eso.ns, client);
      await deleteNamespace(s.sigil.ns, client);
      for (const n of [s.eso.clusterStore, s.sigil.clusterStore]) await client.delete(`/apis/external-secrets.io/v1/clustersecretstores/${n}`).catch(() => undefined);
    }
    for (const m of [v2, v1]) await bao("DELETE", `sys/mounts/${m}`);
  });

  /** The Ready condition once it has the expected status (ESO reports its flood gate as False until the store is Ready). */
  async function ready(ns: string, expected: string): Promise<{ status: string; reason: string; message: string; es: ExternalSecret }> {
    return waitFor(`ExternalSecret ${ns}/es to be Ready=${expected}`, async () => {
      const es = await client.get<ExternalSecret>(`${ES_PATH(ns)}/es`);
      const c = es?.status?.conditions?.find((x) => x.type === "Ready");
      return c === undefined || es === undefined || c.status !== expected ? undefined : { status: c.status, reason: c.reason ?? "", message: c.message ?? "", es };
    }, 60_000, 200);
  }

  function view(s: SecretObject | undefined, ns: string, targetName: string): unknown {
    if (s === undefined) return undefined;
    const labels = { ...(s.metadata?.labels ?? {}) };
    if (labels["reconcile.external-secrets.io/created-by"] !== undefined) {
      labels["reconcile.external-secrets.io/created-by"] = labels["reconcile.external-secrets.io/created-by"] === ownerLabel(ns, "es") ? "<owner-hash>" : "<wrong>";
    }
    return {
      name: targetName, type: s.type, data: s.data ?? {}, labels, annotations: s.metadata?.annotations ?? {}, immutable: s.immutable === true,
      owners: (s.metadata?.ownerReferences ?? []).map((r) => ({ kind: r.kind, name: r.name, controller: r.controller === true })),
    };
  }

  it("runs at least 25 scenarios", () => {
    expect(DIFF_CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(DIFF_CASES.map((c, i) => ({ ...c, i })))("$reason", async (c) => {
    const pair = sides[c.i]!;
    const [a, b] = [await ready(pair.eso.ns, c.ready), await ready(pair.sigil.ns, c.ready)];
    expect({ status: b.status, reason: b.reason, message: b.message }).toEqual({ status: a.status, reason: a.reason, message: a.message });
    expect(a.status).toBe(c.ready);
    const target = (c.spec["target"] as { name?: string } | undefined)?.name ?? "es";
    const [sa, sb] = [
      await client.get<SecretObject>(`/api/v1/namespaces/${pair.eso.ns}/secrets/${target}`),
      await client.get<SecretObject>(`/api/v1/namespaces/${pair.sigil.ns}/secrets/${target}`),
    ];
    expect(view(sb, pair.sigil.ns, target)).toEqual(view(sa, pair.eso.ns, target));
    expect(b.es.status?.binding).toEqual(a.es.status?.binding);
    expect(b.es.status?.syncedResourceVersion === undefined).toBe(a.es.status?.syncedResourceVersion === undefined);
  });

  it("puts no secret value in Sigil's Events, statuses or errors (canary)", async () => {
    const canaries = ["s3cr3t-canary", "hello-canary", "v1-canary", "old-canary", "keep-me"];
    const encodings = canaries.flatMap((c) => [c, Buffer.from(c).toString("base64"), Buffer.from(c).toString("base64url"), JSON.stringify(c).slice(1, -1), Buffer.from(c).toString("hex")]);
    const statuses: string[] = [];
    for (const s of sides) {
      const es = await client.get<ExternalSecret>(`${ES_PATH(s.sigil.ns)}/es`);
      statuses.push(JSON.stringify(es?.status ?? {}));
      const events = await client.list<{ message?: string; reason?: string }>(`/api/v1/namespaces/${s.sigil.ns}/events`);
      statuses.push(...events.items.map((e) => `${e.reason ?? ""} ${e.message ?? ""}`));
    }
    const haystack = [...statuses, ...(sigil?.events ?? []).map((e) => e.message)].join("\n");
    expect(haystack.length).toBeGreaterThan(100);
    expect(haystack).toContain("could not get secret data from provider");
    for (const needle of encodings) expect(haystack, needle).not.toContain(needle);
  });

  it("leaves the same Secrets behind when the ExternalSecrets are deleted", async () => {
    for (const s of sides) {
      await client.delete(`${ES_PATH(s.eso.ns)}/es`);
      await client.delete(`${ES_PATH(s.sigil.ns)}/es`);
    }
    const left = async (ns: string, c: DiffCase): Promise<boolean> => (await client.get(`/api/v1/namespaces/${ns}/secrets/${(c.spec["target"] as { name?: string } | undefined)?.name ?? "es"}`)) !== undefined;
    await waitFor("owned Secrets to be garbage-collected on both sides", async () => {
      for (const [i, c] of DIFF_CASES.entries()) {
        const s = sides[i]!;
        if ((await left(s.eso.ns, c)) !== (await left(s.sigil.ns, c))) return undefined;
      }
      return true;
    }, 60_000, 500);
  });
});
