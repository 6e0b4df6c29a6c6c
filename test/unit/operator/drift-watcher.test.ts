/**
 * The drift watcher's view of managed objects (a fake API server; the
 * real-peer tests of the same paths are test/integration/reconcile/resync.test.ts
 * and the drift cases of controllers.test.ts): a status update keeps an
 * object "unchanged" for the re-sync memory and is no drift; a change of
 * the generation, a label or an annotation is both.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import type { KubeObject, RestMapper } from "../../../src/kube/index.js";
import { SharedInformers } from "../../../src/kube/runtime/index.js";
import { FakeClock, FakeKubeClient } from "../../../src/kube/testing/index.js";
import { DriftWatcher, unmanagedChange } from "../../../src/operator/gitops/drift.js";
import type { DriftEvent } from "../../../src/operator/gitops/drift.js";
import { SYNC_NAME_LABEL, SYNC_NAMESPACE_LABEL } from "../../../src/reconcile/index.js";

const quiet = new Logger({ sink: () => undefined });
const PATH = "/apis/apps/v1/namespaces/apps/deployments";
const REF = { apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: "web" };
const until = async (what: string, check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setImmediate(r));
  expect(check(), what).toBe(true);
};

/** Discovery for the one kind the test watches. */
const mapper = { find: () => Promise.resolve({ group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true, verbs: [] }) } as unknown as RestMapper;

function deployment(): KubeObject {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "apps", labels: { [SYNC_NAME_LABEL]: "s", [SYNC_NAMESPACE_LABEL]: "apps", app: "web" } }, spec: { replicas: 0 } } as KubeObject;
}

describe("DriftWatcher", () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  function setup(desired?: KubeObject): { client: FakeKubeClient; watcher: DriftWatcher; drift: DriftEvent[]; rv: () => Promise<string> } {
    const client = new FakeKubeClient();
    const informers = new SharedInformers({ client, logger: quiet, clock: new FakeClock() });
    informers.start();
    stops.push(() => informers.stop());
    const drift: DriftEvent[] = [];
    const watcher = new DriftWatcher(() => informers, mapper, (e) => drift.push(e), quiet, (sync, id) => (sync === "apps/s" && id.includes("web") ? desired : undefined));
    const rv = async (): Promise<string> => (await client.get<KubeObject>(`${PATH}/web`))?.metadata?.resourceVersion ?? "";
    return { client, watcher, drift, rv };
  }

  it("vouches for the applied version through status updates, and not after a change to the spec, a label or an annotation", async () => {
    const { client, watcher, drift, rv } = setup();
    await client.create(PATH, deployment());
    const applied = await rv();
    expect(watcher.confirms(REF, applied), "not watched yet").toBe(false);
    await watcher.watchKinds([REF]);
    await until("listed", () => watcher.confirms(REF, applied));

    await client.patch(`${PATH}/web/status`, { status: { observedGeneration: 1, replicas: 0 } }, "merge");
    const afterStatus = await rv();
    expect(afterStatus).not.toBe(applied);
    await until("the status update seen", () => watcher.confirms(REF, afterStatus));
    expect(watcher.confirms(REF, applied), "a status update changes nothing Sigil manages").toBe(true);
    expect(drift, "a status update is no drift").toEqual([]);

    await client.patch(`${PATH}/web`, { metadata: { labels: { app: "edited" } } }, "merge");
    const afterLabel = await rv();
    await until("the label edit seen", () => watcher.confirms(REF, afterLabel));
    expect(watcher.confirms(REF, applied), "a label edit (same generation) is a change").toBe(false);
    expect(drift).toEqual([{ syncKey: "apps/s", id: expect.any(String) as string, change: "Modified" }]);

    await client.patch(`${PATH}/web`, { metadata: { annotations: { note: "x" } } }, "merge");
    const afterAnnotation = await rv();
    await until("the annotation edit seen", () => watcher.confirms(REF, afterAnnotation));
    expect(watcher.confirms(REF, afterLabel), "an annotation edit is a change").toBe(false);

    await client.patch(`${PATH}/web`, { spec: { replicas: 3 } }, "merge");
    const afterSpec = await rv();
    await until("the spec edit seen", () => watcher.confirms(REF, afterSpec));
    expect(watcher.confirms(REF, afterAnnotation), "a spec edit (new generation) is a change").toBe(false);
    expect(drift.map((e) => e.change)).toEqual(["Modified", "Modified", "Modified"]);

    await client.delete(`${PATH}/web`);
    await until("the delete seen", () => drift.length === 4);
    expect(drift[3]?.change).toBe("Deleted");
    expect(watcher.confirms(REF, afterSpec)).toBe(false);
  });

  it("with the applied object known, takes another manager's labels and annotations for no change, and Sigil's for one", async () => {
    const { client, watcher, drift, rv } = setup(deployment());
    await client.create(PATH, deployment());
    const applied = await rv();
    await watcher.watchKinds([REF]);
    await until("listed", () => watcher.confirms(REF, applied));
    // What the deployment controller adds to a new Deployment: its revision annotation (a main-resource update, same generation).
    await client.patch(`${PATH}/web`, { metadata: { annotations: { "deployment.kubernetes.io/revision": "1" }, labels: { other: "x" } } }, "merge");
    const annotated = await rv();
    await until("the annotation seen", () => watcher.confirms(REF, annotated));
    expect(watcher.confirms(REF, applied), "keys Sigil does not set are another manager's").toBe(true);
    expect(drift).toEqual([]);
    await client.patch(`${PATH}/web`, { metadata: { labels: { app: "edited" } } }, "merge");
    const edited = await rv();
    await until("the label edit seen", () => watcher.confirms(REF, edited));
    expect(watcher.confirms(REF, applied), "a label Sigil sets").toBe(false);
    expect(drift.map((e) => e.change)).toEqual(["Modified"]);
  });

  it("stops vouching for a version after more status updates than it keeps", async () => {
    const { client, watcher, rv } = setup();
    await client.create(PATH, deployment());
    const applied = await rv();
    await watcher.watchKinds([REF]);
    await until("listed", () => watcher.confirms(REF, applied));
    for (let i = 1; i <= 16; i++) await client.patch(`${PATH}/web/status`, { status: { observedGeneration: i } }, "merge");
    const last = await rv();
    await until("the updates seen", () => watcher.confirms(REF, last));
    expect(watcher.confirms(REF, applied), "17 versions in the run: the oldest is dropped").toBe(false);
  });

  it("counts every update of a kind without a generation, and a deletion under way", () => {
    const cm = (v: string): KubeObject => ({ metadata: { name: "c", resourceVersion: v, labels: { a: "1" } } });
    expect(unmanagedChange(cm("1"), cm("2"))).toBe(false);
    const withGen = (rv: string, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: "d", resourceVersion: rv, generation: 2, labels: { a: "1" }, annotations: { b: "2" }, ...extra } });
    expect(unmanagedChange(withGen("1"), withGen("2"))).toBe(true);
    expect(unmanagedChange(withGen("1"), withGen("2", { deletionTimestamp: "2026-01-01T00:00:00Z" }))).toBe(false);
    const wants = { metadata: { name: "d", labels: { a: "1" } } };
    expect(unmanagedChange(withGen("1"), withGen("2", { labels: { a: "1", foreign: "x" }, annotations: {} }), wants), "keys the applied object does not set").toBe(true);
    expect(unmanagedChange(withGen("1"), withGen("2", { labels: {} }), wants), "a removed key the applied object sets").toBe(false);
    expect(unmanagedChange(withGen("1"), withGen("2", { annotations: {} })), "without the applied object every key counts").toBe(false);
  });
});
