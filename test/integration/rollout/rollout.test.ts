/**
 * The `rollout` controller against the real API server, with the real
 * kube-controller-manager of the environment turning pod-template changes
 * into new ReplicaSets: a Secret's content change rolls the Deployment that
 * follows it, a change that leaves the data alone writes nothing (counted in
 * the audit log), a missing Secret is an Event and no crash, and no secret
 * value (or a form of it) reaches the hash, the Events or the logs.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import { HASH_ANNOTATION, RELOADER_SECRET_ANNOTATION, ROLLOUT_ANNOTATION, RolloutController } from "../../../src/operator/index.js";
import { adminClient, captureLogs, createNamespace, deleteNamespace, eventsFor, waitFor } from "../../support/bitnami.js";
import { canary, expectNoLeak, leakForms } from "../../support/canary.js";
import { describePeers, kubeAuditMark, kubeAuditSince, uniqueName } from "../../support/peers.js";

interface Workload {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { template: { metadata?: { annotations?: Record<string, string> } } };
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

describePeers("the rollout controller", () => {
  let client: HttpKubeClient;
  let ns: string;
  let manager: Manager;
  let controller: RolloutController;
  const { lines, logger } = captureLogs();
  const secretValue = canary("rollout");
  const rotated = canary("rotated");
  const deployPath = (name = ""): string => `/apis/apps/v1/namespaces/${ns}/deployments${name === "" ? "" : `/${name}`}`;
  const secretPath = (name = ""): string => `/api/v1/namespaces/${ns}/secrets${name === "" ? "" : `/${name}`}`;

  const deployment = (name: string, annotations: Record<string, string>): unknown => ({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name, annotations },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "registry.invalid/app:1" }] } } },
  });
  const templateHash = async (name: string): Promise<string | undefined> => (await client.get<Workload>(deployPath(name)))?.spec.template.metadata?.annotations?.[HASH_ANNOTATION];
  /** Hashes in the pod templates of the Deployment's ReplicaSets (made by the real kube-controller-manager). */
  const replicaSetHashes = async (app: string): Promise<string[]> => {
    const list = await client.list<Workload>(`/apis/apps/v1/namespaces/${ns}/replicasets`, { labelSelector: `app=${app}` });
    return list.items.map((rs) => rs.spec.template.metadata?.annotations?.[HASH_ANNOTATION] ?? "");
  };

  beforeAll(async () => {
    client = adminClient();
    ns = uniqueName("rollout");
    await createNamespace(ns, client);
    await client.create(secretPath(), { apiVersion: "v1", kind: "Secret", metadata: { name: "db-creds" }, data: { password: b64(secretValue.value), user: b64("app") } });
    controller = new RolloutController({ namespaces: [ns], baseBackoffMs: 200, maxBackoffMs: 2_000, reloaderAnnotation: true });
    manager = new Manager(client, { logger }).add(controller);
    await manager.start();
  });

  afterAll(async () => {
    await manager.stop();
    await deleteNamespace(ns, client);
    client.close();
  });

  it("writes a content hash into the pod template, and a data change rolls a new ReplicaSet", async () => {
    await client.create(deployPath(), deployment("web", { [ROLLOUT_ANNOTATION]: "db-creds, db-creds" }));
    const first = await waitFor("the first hash", () => templateHash("web"), 20_000, 100);
    expect(first).toMatch(/^v1:[0-9a-f]{64}$/);
    await waitFor("a ReplicaSet with the first hash (made by kube-controller-manager's deployment-controller: an environment started before it was enabled needs npm run env -- down && up)", async () => ((await replicaSetHashes("web")).includes(first) ? true : undefined), 30_000, 200);

    await client.patch(secretPath("db-creds"), { data: { password: b64(rotated.value) } }, "merge");
    const second = await waitFor("a new hash", async () => { const h = await templateHash("web"); return h !== undefined && h !== first ? h : undefined; }, 20_000, 100);
    await waitFor("a new ReplicaSet for the new hash", async () => ((await replicaSetHashes("web")).includes(second) ? true : undefined), 30_000, 200);
    const events = await eventsFor(client, ns, "web");
    expect(events.map((e) => e.reason)).toContain("SecretsChanged");
  });

  it("writes nothing when a Secret changes but its data does not, nor when the workload changes otherwise", async () => {
    await waitFor("web to have a hash", () => templateHash("web"), 20_000, 100);
    await manager.idle();
    const before = await templateHash("web");
    const mark = kubeAuditMark();
    await client.patch(secretPath("db-creds"), { metadata: { labels: { touched: "yes" } } }, "merge");
    await client.patch(deployPath("web"), { metadata: { labels: { touched: "yes" } } }, "merge");
    // The Secret with the same data re-created under the hood would change the uid; a label does not.
    await new Promise((r) => setTimeout(r, 1_500));
    await manager.idle();
    const patches = (await kubeAuditSince(mark, client)).filter((e) => e.resource === "deployments" && e.namespace === ns && e.verb === "patch" && e.subresource === undefined && e.userAgent.startsWith("sigil"));
    expect(patches.map((e) => e.name)).toEqual(["web"]); // the test's own label patch, none by the controller
    expect(await templateHash("web")).toBe(before);
  });

  it("records a clear Event for a Secret that does not exist, keeps running, and rolls once it appears", async () => {
    await client.create(deployPath(), deployment("api", { [RELOADER_SECRET_ANNOTATION]: "api-token" }));
    const event = await waitFor("a SecretNotFound Event", async () => (await eventsFor(client, ns, "api")).find((e) => e.reason === "SecretNotFound"), 20_000, 100);
    expect(event.type).toBe("Warning");
    expect(event.message).toContain('secret "api-token" named in sigil.dev/rollout-on-secret-change not found');
    expect(await templateHash("api")).toBeUndefined();
    await client.create(secretPath(), { apiVersion: "v1", kind: "Secret", metadata: { name: "api-token" }, data: { token: b64("t") } });
    expect(await waitFor("a hash once the Secret exists", () => templateHash("api"), 20_000, 100)).toMatch(/^v1:/);
  });

  it("never lets a value, or a form of it, into the hash, the Events, the ReplicaSets or the logs", async () => {
    const hash = (await templateHash("web")) ?? "";
    for (const form of [...leakForms(secretValue), ...leakForms(rotated)]) expect(hash.includes(form)).toBe(false);
    const events = await client.list(`/api/v1/namespaces/${ns}/events`);
    const replicaSets = await client.list(`/apis/apps/v1/namespaces/${ns}/replicasets`);
    const deployments = await client.list(deployPath());
    expectNoLeak({ events: JSON.stringify(events.items), replicaSets: JSON.stringify(replicaSets.items), deployments: JSON.stringify(deployments.items), logs: lines.join("\n") }, secretValue, rotated);
  });
});
