import { afterEach, describe, expect, it } from "vitest";
import { Logger, SigilError, registerSecret } from "../../../src/core/index.js";
import { SECRETS, resourcePath } from "../../../src/kube/index.js";
import type { SecretObject } from "../../../src/kube/index.js";
import { EventRecorder, Manager, ReconcileLoop, SECRET_METADATA, secondary } from "../../../src/kube/runtime/index.js";
import type { Controller, WorkResult } from "../../../src/kube/runtime/index.js";
import { FakeClock, FakeKubeClient } from "../../../src/kube/testing/index.js";

const quiet = new Logger({ sink: () => undefined });
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setImmediate(r));
  expect(check()).toBe(true);
};
const secretsIn = (ns: string): string => resourcePath(SECRETS, { namespace: ns });
const secret = (name: string, labels: Record<string, string> = {}): SecretObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name, labels }, data: { v: "eA==" } });

/** A loop over Secrets of `ns` that records what it reconciled. */
function recordingLoop(name: string, ns: string, seen: string[], result: () => Promise<WorkResult> = () => Promise.resolve({})): ReconcileLoop<SecretObject> {
  return new ReconcileLoop<SecretObject>({
    name,
    primary: { resource: SECRETS, namespaces: [ns], transform: SECRET_METADATA },
    reconcile: async (key, object) => {
      seen.push(`${key}${object === undefined ? " (gone)" : ""}`);
      return result();
    },
  });
}

describe("Manager and ReconcileLoop against the fake client", () => {
  const managers: Manager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop();
  });
  function manager(client: FakeKubeClient, options: Partial<ConstructorParameters<typeof Manager>[1]> = {}): Manager {
    const m = new Manager(client, { logger: quiet, ...options });
    managers.push(m);
    return m;
  }

  it("runs two controllers on one shared informer (one list, one watch) and both see every object", async () => {
    const client = new FakeKubeClient();
    await client.create(secretsIn("ns"), secret("a"));
    const first: string[] = [];
    const second: string[] = [];
    const m = manager(client).add(recordingLoop("first", "ns", first)).add(recordingLoop("second", "ns", second));
    await m.start();
    await m.idle();
    expect(client.requests.list).toBe(1);
    await until(() => client.watchCount === 1);
    await client.create(secretsIn("ns"), secret("b"));
    await until(() => first.includes("ns/b") && second.includes("ns/b"));
    expect(first).toEqual(["ns/a", "ns/b"]);
    expect(second).toEqual(["ns/a", "ns/b"]);
    expect(client.requests.watch).toBe(1);
  });

  it("starts no work before the controller's caches have synced", async () => {
    const client = new FakeKubeClient();
    await client.create(secretsIn("ns"), secret("a"));
    client.failNext("list", new SigilError("kube.unreachable", "list failed: cannot reach the api server (ECONNREFUSED)"));
    const clock = new FakeClock();
    const seen: string[] = [];
    const m = manager(client, { clock, informers: { minBackoffMs: 500 } }).add(recordingLoop("c", "ns", seen));
    await m.start();
    await until(() => clock.pending > 0);
    const loop = m.controllers[0] as ReconcileLoop<SecretObject>;
    loop.enqueue("ns/a");
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
    clock.advance(500);
    await m.idle();
    expect(seen).toEqual(["ns/a"]);
  });

  it("maps secondary objects to primary keys and reconciles deleted primaries with no object", async () => {
    const client = new FakeKubeClient();
    await client.create(secretsIn("app"), secret("web"));
    const seen: string[] = [];
    const loop = new ReconcileLoop<SecretObject>({
      name: "mapper",
      primary: { resource: SECRETS, namespaces: ["app"], transform: SECRET_METADATA },
      secondary: [secondary<SecretObject>({ resource: SECRETS, namespaces: ["config"], transform: SECRET_METADATA, map: (_key, s) => (s.metadata.labels?.["for"] === undefined ? [] : [`app/${s.metadata.labels["for"]}`]) })],
      reconcile: (key, object) => {
        seen.push(`${key}${object === undefined ? " (gone)" : ""}`);
        return Promise.resolve({});
      },
    });
    const m = manager(client).add(loop);
    await m.start();
    await m.idle();
    await until(() => client.watchCount === 2);
    await client.create(secretsIn("config"), secret("settings", { for: "web" }));
    await client.create(secretsIn("config"), secret("unrelated"));
    await until(() => seen.length === 2);
    await client.delete(resourcePath(SECRETS, { namespace: "app", name: "web" }));
    await until(() => seen.length === 3);
    expect(seen).toEqual(["app/web", "app/web", "app/web (gone)"]);
  });

  it("stops gracefully: no new work, in-flight work gets the deadline, watches close", async () => {
    const client = new FakeKubeClient();
    await client.create(secretsIn("ns"), secret("slow"));
    let release: () => void = () => undefined;
    let finished = false;
    const seen: string[] = [];
    const loop = recordingLoop("slow", "ns", seen, () => new Promise<WorkResult>((r) => (release = () => {
      finished = true;
      r({});
    })));
    const m = manager(client, { shutdownTimeoutMs: 60_000 }).add(loop);
    await m.start();
    await until(() => seen.length === 1);
    const stopping = m.stop();
    await client.create(secretsIn("ns"), secret("late"));
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(m.stopping).toBe(true);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(seen).toEqual(["ns/slow"]);
    expect(client.watchCount).toBe(0);
  });

  it("stops the controllers already started when a later one fails to start, and throws its error", async () => {
    const client = new FakeKubeClient();
    const events: string[] = [];
    const fake = (name: string, fail: boolean): Controller => ({
      name,
      start: () => (fail ? Promise.reject(new SigilError("provider.unreachable", "the key provider cannot be reached")) : Promise.resolve()),
      idle: () => Promise.resolve(),
      stop: () => {
        events.push(`stop ${name}`);
        return Promise.resolve();
      },
    });
    const m = manager(client).add(fake("ok", false)).add(fake("broken", true)).add(fake("never", false));
    await expect(m.start()).rejects.toMatchObject({ code: "provider.unreachable" });
    expect(events).toEqual(["stop broken", "stop ok"]);
  });

  it("records Events per component, aggregated, with secrets redacted", async () => {
    const client = new FakeKubeClient();
    const canary = "CANARY-runtime-event-9b1f";
    registerSecret(canary);
    const recorder = new EventRecorder(client, "sigil-test", { clock: new FakeClock() });
    const subject = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "ns", uid: "u" } };
    await recorder.record(subject, "Warning", "Failed", `could not use ${canary} (${Buffer.from(canary).toString("base64")})`);
    await recorder.record(subject, "Warning", "Failed", `could not use ${canary} (${Buffer.from(canary).toString("base64")})`);
    const page = await client.list<{ message: string; count: number; source: { component: string } }>(resourcePath({ group: "", version: "v1", plural: "events" }, { namespace: "ns" }));
    expect(page.items).toHaveLength(1);
    expect(page.items[0]?.count).toBe(2);
    expect(page.items[0]?.source.component).toBe("sigil-test");
    expect(JSON.stringify(page.items)).not.toContain(canary);
    expect(JSON.stringify(page.items)).not.toContain(Buffer.from(canary).toString("base64"));
  });
});
