/**
 * ClusterExternalSecrets, differential against the real ESO controller
 * (v0.16.2). ClusterExternalSecrets have no controller class, so the two
 * controllers run one after the other, each over its own copy of the same
 * namespaces and ClusterExternalSecrets (names differ only by a side tag,
 * which the comparison removes): first ESO, then Sigil's
 * `clusterexternalsecrets` controller. Compared: each ClusterExternalSecret's
 * status (`externalSecretName`, `provisionedNamespaces`, `failedNamespaces`,
 * conditions) and every ExternalSecret in the namespaces (name, labels,
 * annotations, spec, owner references), after the first sync and again
 * after a rename of `externalSecretName` and a namespace relabel.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { Logger } from "../../../src/core/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import type { ClusterExternalSecret, ExternalSecret } from "../../../src/external-secrets/index.js";
import { ClusterExternalSecretsController } from "../../../src/operator/external-secrets/index.js";
import { adminClient, deleteNamespace, waitFor } from "../../support/bitnami.js";
import { ensureEsoCrds, startEsoController } from "../../support/eso.js";
import { describePeers } from "../../support/peers.js";

const CES_PATH = "/apis/external-secrets.io/v1/clusterexternalsecrets";
const ES_PATH = (ns: string): string => `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`;
const NS_KEYS = ["a1", "a2", "b1", "c", "d"] as const;
const SCENARIOS = ["by-label", "by-name-conflict", "expressions-default-name", "relabel"] as const;

type Snapshot = Record<string, unknown>;

describePeers("ClusterExternalSecrets: Sigil against the real ESO controller", () => {
  let client: HttpKubeClient;
  const run = randomBytes(3).toString("hex");
  const tag = (side: string): string => `${side}-ces-${run}`;
  const ns = (side: string, k: string): string => `${tag(side)}-${k}`;
  const cesName = (side: string, s: string): string => `${tag(side)}-${s}`;
  const results: Record<string, { first: Snapshot; second: Snapshot }> = {};

  const labels = (side: string, k: string): Record<string, string> => ({ "ces-run": tag(side), ...(k.startsWith("a") ? { team: "a" } : k === "b1" ? { team: "b" } : k === "d" ? { mover: "yes" } : {}) });
  const esSpec = { refreshInterval: "1h", secretStoreRef: { name: "vault", kind: "SecretStore" }, data: [{ secretKey: "password", remoteRef: { key: "db", property: "password" } }] };

  const specs = (side: string): Record<(typeof SCENARIOS)[number], Record<string, unknown>> => ({
    "by-label": { externalSecretName: "synced", externalSecretMetadata: { labels: { app: "web" }, annotations: { note: "from-ces" } }, namespaceSelectors: [{ matchLabels: { "ces-run": tag(side), team: "a" } }], externalSecretSpec: esSpec },
    "by-name-conflict": { externalSecretName: "db", namespaces: [ns(side, "a1"), ns(side, "c"), `${tag(side)}-missing`], externalSecretSpec: esSpec },
    "expressions-default-name": { namespaceSelector: { matchLabels: { "ces-run": tag(side) }, matchExpressions: [{ key: "team", operator: "In", values: ["b"] }] }, externalSecretSpec: { ...esSpec, refreshInterval: "5m" } },
    relabel: { externalSecretName: "moving", refreshTime: "2s", namespaceSelectors: [{ matchLabels: { "ces-run": tag(side), mover: "yes" } }], externalSecretSpec: esSpec },
  });

  async function setup(side: string): Promise<void> {
    for (const k of NS_KEYS) await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns(side, k), labels: labels(side, k) } });
    // Not the ClusterExternalSecret's: provisioning "db" here must fail, and leave it alone.
    await client.create(ES_PATH(ns(side, "c")), { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "db", labels: { mine: "yes" } }, spec: esSpec });
    for (const [s, spec] of Object.entries(specs(side))) await client.create(CES_PATH, { apiVersion: "external-secrets.io/v1", kind: "ClusterExternalSecret", metadata: { name: cesName(side, s) }, spec });
  }

  /** Everything compared, with the side tag replaced. */
  async function snapshot(side: string): Promise<Snapshot> {
    const out: Snapshot = {};
    for (const s of SCENARIOS) out[`ces/${s}`] = (await client.get<ClusterExternalSecret>(`${CES_PATH}/${cesName(side, s)}`))?.status ?? null;
    for (const k of NS_KEYS) {
      const items = (await client.list<ExternalSecret>(ES_PATH(ns(side, k)))).items;
      out[`ns/${k}`] = items.map((e) => ({
        name: e.metadata?.name, labels: e.metadata?.labels ?? {}, annotations: e.metadata?.annotations ?? {}, spec: e.spec,
        owners: (e.metadata?.ownerReferences ?? []).map((r) => ({ ...r, uid: "" })),
      })).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    }
    return JSON.parse(JSON.stringify(out).replaceAll(tag(side), "TAG")) as Snapshot;
  }

  /** The snapshot once every ClusterExternalSecret has a Ready condition and nothing changed for 1.5 s (after 60 s: as it is, for the comparison to show). */
  async function settled(side: string, ready: (s: Snapshot) => boolean): Promise<Snapshot> {
    let last = "";
    let stableSince = 0;
    return waitFor(`${side}: ClusterExternalSecrets to settle`, async () => {
      const snap = await snapshot(side);
      const text = JSON.stringify(snap);
      const allReady = SCENARIOS.every((s) => ((snap[`ces/${s}`] as ClusterExternalSecret["status"] | null)?.conditions ?? []).some((c) => c.type === "Ready"));
      if (!allReady || !ready(snap) || text !== last) {
        last = text;
        stableSince = Date.now();
        return undefined;
      }
      return Date.now() - stableSince >= 1_500 ? snap : undefined;
    }, 60_000, 250).catch(() => snapshot(side));
  }

  async function change(side: string): Promise<void> {
    await client.patch(`${CES_PATH}/${cesName(side, "by-label")}`, { spec: { externalSecretName: "renamed" } }, "merge");
    await client.patch(`/api/v1/namespaces/${ns(side, "d")}`, { metadata: { labels: { mover: "no" } } }, "merge");
  }
  const changed = (s: Snapshot): boolean => JSON.stringify(s["ns/a1"]).includes('"renamed"') && JSON.stringify(s["ns/d"]) === "[]";

  async function cleanup(side: string): Promise<void> {
    for (const s of SCENARIOS) await client.delete(`${CES_PATH}/${cesName(side, s)}`).catch(() => false);
  }

  /** One side: its objects, its controller (`start` returns how to stop it), both snapshots, then its ClusterExternalSecrets deleted. */
  async function phase(side: string, start: () => Promise<() => Promise<void>>): Promise<void> {
    await setup(side);
    const stop = await start();
    try {
      const first = await settled(side, () => true);
      await change(side);
      results[side] = { first, second: await settled(side, changed) };
    } finally {
      await stop();
      await cleanup(side);
    }
  }

  beforeAll(async () => {
    client = adminClient();
    await ensureEsoCrds(client);

    await phase("eso", async () => {
      const eso = await startEsoController({ controllerClass: `ces-diff-${run}` });
      return () => eso.stop();
    });
    await phase("sig", async () => {
      const manager = new Manager(client, { logger: new Logger({ level: "error", sink: () => undefined }) }).add(new ClusterExternalSecretsController({ baseBackoffMs: 200, maxBackoffMs: 2_000 }));
      await manager.start();
      return () => manager.stop();
    });
  }, 240_000);

  afterAll(async () => {
    for (const side of ["eso", "sig"]) for (const k of NS_KEYS) await deleteNamespace(ns(side, k), client).catch(() => undefined);
  });

  it.each(SCENARIOS)("ClusterExternalSecret %s: the same status after the first sync and after the changes", (s) => {
    expect(results["sig"]?.first[`ces/${s}`]).toEqual(results["eso"]?.first[`ces/${s}`]);
    expect(results["sig"]?.second[`ces/${s}`]).toEqual(results["eso"]?.second[`ces/${s}`]);
  });

  it.each(NS_KEYS)("namespace %s: the same ExternalSecrets after the first sync and after the changes", (k) => {
    expect(results["sig"]?.first[`ns/${k}`]).toEqual(results["eso"]?.first[`ns/${k}`]);
    expect(results["sig"]?.second[`ns/${k}`]).toEqual(results["eso"]?.second[`ns/${k}`]);
  });

  it("pins what ESO does: a foreign ExternalSecret is a failed namespace, a missing namespace is silently skipped", () => {
    const status = results["eso"]?.first["ces/by-name-conflict"] as ClusterExternalSecret["status"];
    expect(status).toMatchObject({
      externalSecretName: "db", provisionedNamespaces: ["TAG-a1"],
      failedNamespaces: [{ namespace: "TAG-c", reason: "external secret already exists in namespace" }],
      conditions: [{ type: "Ready", status: "False", message: "one or more namespaces failed" }],
    });
    expect(results["sig"]?.first["ns/c"]).toEqual([expect.objectContaining({ name: "db", labels: { mine: "yes" }, owners: [] })]);
  });
});
