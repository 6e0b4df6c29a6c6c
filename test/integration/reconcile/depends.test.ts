/**
 * The `syncs` controller with `spec.dependsOn` and Argo CD hooks, against
 * the real API server: a chain waits and reports which Sync it waits for,
 * then goes Ready in order; a cycle is reported, not deadlocked; a hook's
 * Events name the hook and its phase, and no secret value reaches an Event,
 * the status or the logs.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { adminClient, TestNamespaces, waitFor } from "../../support/bitnami.js";
import { createRepo } from "../../support/git.js";
import { describePeers, uniqueName } from "../../support/peers.js";
import { startSyncControllers } from "../../support/sync-controllers.js";
import type { RunningControllers } from "../../support/sync-controllers.js";

const CANARY = "canary-depends-c0ffee71";
const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "1"\n`;
const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${CANARY}\n`;
const preSync = `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: HookFailed\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: registry.invalid/m:1\n        env:\n        - {name: PASSWORD, value: ${CANARY}}\n`;

interface SyncView { status?: { conditions?: { type: string; status: string; reason: string; message: string }[]; lastAppliedRevision?: string } }

describePeers("the syncs controller: dependsOn and hooks", () => {
  let client: HttpKubeClient;
  let controllers: RunningControllers;
  let logs: string[] = [];
  const namespaces = new TestNamespaces();
  const G = "/apis/gitops.sigil.dev/v1alpha1";

  beforeAll(async () => {
    client = adminClient();
    controllers = await startSyncControllers(client);
    logs = controllers.logs;
  }, 60_000);

  afterAll(async () => {
    await controllers.stop();
    await namespaces.deleteAll(client);
    client.close();
  });

  async function source(prefix: string, files: Record<string, string>): Promise<string> {
    const n = await namespaces.create(prefix, client);
    const repo = createRepo(uniqueName(prefix), files);
    await client.create(`${G}/namespaces/${n}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name: "repo" }, spec: { url: repo.fileUrl, ref: { branch: "main" }, interval: "1h" } });
    return n;
  }
  const createSync = (n: string, name: string, path: string, dependsOn: { name: string; namespace?: string }[], extra: Record<string, unknown> = {}): Promise<unknown> =>
    client.create(`${G}/namespaces/${n}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, path, interval: "1h", targetNamespace: n, dependsOn, ...extra } });
  const ready = async (n: string, name: string): Promise<{ status: string; reason: string; message: string } | undefined> =>
    (await client.get<SyncView>(`${G}/namespaces/${n}/syncs/${name}`))?.status?.conditions?.find((c) => c.type === "Ready");

  it("a chain waits, names the Sync it waits for, and goes Ready in order once each dependency is Ready at its latest revision", async () => {
    const n = await source("deps-chain", { "a/x.yaml": cm("a"), "b/x.yaml": cm("b"), "c/x.yaml": cm("c") });
    await createSync(n, "a", "a", [{ name: "b" }]);
    await createSync(n, "b", "b", [{ name: "c", namespace: n }]);
    await waitFor("a and b waiting", async () => ((await ready(n, "a"))?.reason === "DependencyNotReady" && (await ready(n, "b"))?.reason === "DependencyNotReady" ? true : undefined), 20_000, 50);
    expect((await ready(n, "a"))?.message).toMatch(new RegExp(`^waiting for Sync/${n}/b: `));
    expect((await ready(n, "b"))?.message).toBe(`waiting for Sync/${n}/c: it does not exist`);
    expect(await client.get(`/api/v1/namespaces/${n}/configmaps/a`)).toBeUndefined();
    await createSync(n, "c", "c", []);
    await waitFor("a Ready", async () => ((await ready(n, "a"))?.status === "True" ? true : undefined), 30_000, 50);
    const revision = (await client.get<{ status: { artifact: { revision: string } } }>(`${G}/namespaces/${n}/gitsources/repo`))?.status.artifact.revision;
    for (const name of ["a", "b", "c"]) expect((await client.get<SyncView>(`${G}/namespaces/${n}/syncs/${name}`))?.status?.lastAppliedRevision).toBe(revision);
    const created = async (name: string): Promise<number> => Date.parse((await client.get<{ metadata: { creationTimestamp: string } }>(`/api/v1/namespaces/${n}/configmaps/${name}`))?.metadata.creationTimestamp ?? "");
    expect(await created("c")).toBeLessThanOrEqual(await created("b"));
    expect(await created("b")).toBeLessThanOrEqual(await created("a"));
  });

  it("reports a cycle (Ready=False, DependencyCycle naming it) and applies nothing, without deadlock", async () => {
    const n = await source("deps-cycle", { "x/x.yaml": cm("x"), "y/y.yaml": cm("y") });
    await createSync(n, "x", "x", [{ name: "y" }]);
    await createSync(n, "y", "y", [{ name: "x" }]);
    await waitFor("the cycle reported on both", async () => ((await ready(n, "x"))?.reason === "DependencyCycle" && (await ready(n, "y"))?.reason === "DependencyCycle" ? true : undefined), 20_000, 50);
    expect((await ready(n, "x"))?.message).toBe(`dependency cycle: Sync/${n}/x -> Sync/${n}/y -> Sync/${n}/x`);
    expect((await ready(n, "x"))?.status).toBe("False");
    expect(await client.get(`/api/v1/namespaces/${n}/configmaps/x`)).toBeUndefined();
    await client.patch(`${G}/namespaces/${n}/syncs/y`, { spec: { dependsOn: [] } }, "merge");
    await waitFor("x Ready once the cycle is broken", async () => ((await ready(n, "x"))?.status === "True" ? true : undefined), 30_000, 50);
  });

  it("records one Event per hook naming it and its phase; a failed PreSync hook leaves Ready=False with hook.failed; no secret value in Events, status or logs", async () => {
    const n = await source("deps-hook", { "app/s.yaml": secret, "app/job.yaml": preSync, "app/a.yaml": cm("a") });
    await createSync(n, "app", "app", []);
    await waitFor("the PreSync Job", async () => client.get(`/apis/batch/v1/namespaces/${n}/jobs/migrate`), 20_000, 50);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const c = (type: string): Record<string, string> => ({ type, status: "True", reason: "BackoffLimitExceeded", message: `exit 1: ${CANARY}`, lastTransitionTime: now, lastProbeTime: now });
    await client.patch(`/apis/batch/v1/namespaces/${n}/jobs/migrate/status`, { status: { startTime: now, failed: 1, conditions: [c("FailureTarget"), c("Failed")] } }, "merge");
    await waitFor("Ready=False hook.failed", async () => ((await ready(n, "app"))?.reason === "hook.failed" ? true : undefined), 20_000, 50);
    expect((await ready(n, "app"))?.message).toContain(`Job/${n}/migrate`);
    const events = await waitFor("the hook Event", async () => {
      const list = await client.list<{ reason: string; message: string; type: string }>(`/api/v1/namespaces/${n}/events`);
      return list.items.some((e) => e.reason === "HookFailed") ? list.items : undefined;
    }, 10_000, 50);
    expect(events.find((e) => e.reason === "HookFailed")?.message).toBe(`PreSync hook Job/${n}/migrate failed (BackoffLimitExceeded); deleted by its delete policy`);
    expect(await client.get(`/api/v1/namespaces/${n}/configmaps/a`)).toBeUndefined();
    expect(await client.get(`/api/v1/namespaces/${n}/secrets/db`)).toBeUndefined();
    const sync = await client.get(`${G}/namespaces/${n}/syncs/app`);
    const everything = JSON.stringify(sync) + JSON.stringify(events) + logs.join("\n");
    for (const form of [CANARY, Buffer.from(CANARY).toString("base64"), encodeURIComponent(CANARY), JSON.stringify(CANARY).slice(1, -1)]) expect(everything).not.toContain(form);
  });
});
