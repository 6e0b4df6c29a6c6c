/**
 * A restarted `syncs` controller starts before its GitSources are fetched
 * again: a Sync that is Ready must not flip to "source not ready" on every
 * restart while it waits (for `sourceGraceMs`), and after the grace a
 * missing artifact is still reported. The same restart on the real API
 * server, 200 Syncs at a time, is bench/many-syncs ("Syncs patched more
 * than once").
 */
import { afterEach, describe, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import { FakeKubeClient } from "../../../src/kube/testing/index.js";
import { ArtifactStore, SyncController } from "../../../src/operator/gitops/index.js";
import { ProviderRegistry } from "../../../src/providers/index.js";

const quiet = new Logger({ sink: () => undefined });
const SYNCS = "/apis/gitops.sigil.dev/v1alpha1/namespaces/ns/syncs";
const READY = { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message: "applied", lastTransitionTime: "2026-01-01T00:00:00Z" };

interface SyncStatus { status?: { conditions?: { type: string; status: string; reason: string }[] } }

async function restartedOver(ready: boolean, sourceGraceMs: number | undefined): Promise<{ client: FakeKubeClient; manager: Manager }> {
  const client = new FakeKubeClient();
  await client.create(SYNCS, {
    apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync",
    // A Sync reconciled before the restart carries the finalizer its first reconcile added (finalizer.ts).
    metadata: { name: "app", namespace: "ns", finalizers: ["gitops.sigil.dev/finalizer"] },
    spec: { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", interval: "1h" },
    ...(ready ? { status: { lastAppliedRevision: "main@sha1:0", conditions: [READY] } } : {}),
  });
  const before = client.requests.patch;
  expect(before).toBe(0);
  const manager = new Manager(client, { logger: quiet });
  // A fresh store, as after a restart: no GitSource fetched by this process yet.
  manager.add(new SyncController({ client, store: new ArtifactStore(), logger: quiet, now: () => new Date(), kustomizeBin: "kustomize", sealingKeyNamespace: "kube-system", providersFor: () => new ProviderRegistry(), sourceGraceMs }));
  await manager.start();
  await manager.idle();
  return { client, manager };
}

describe("the syncs controller right after a restart", () => {
  const managers: Manager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop();
  });

  it("leaves a Ready Sync's status alone while its GitSource has not been fetched yet (within the grace)", async () => {
    const { client, manager } = await restartedOver(true, undefined);
    managers.push(manager);
    expect(client.requests.patch).toBe(0);
    const s = await client.get<SyncStatus>(`${SYNCS}/app`);
    expect(s?.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  });

  it("reports the missing artifact after the grace, and at once for a Sync that was not Ready", async () => {
    for (const [ready, grace] of [[true, 0], [false, undefined]] as const) {
      const { client, manager } = await restartedOver(ready, grace);
      managers.push(manager);
      const s = await client.get<SyncStatus>(`${SYNCS}/app`);
      expect(s?.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "source.not_ready" });
    }
  });
});
