import { afterEach, describe, expect, it } from "vitest";
import { Logger, SigilError } from "../../../src/core/index.js";
import { SECRETS, resourcePath } from "../../../src/kube/index.js";
import type { SecretObject } from "../../../src/kube/index.js";
import { LAST_APPLIED_ANNOTATION, METADATA_ONLY, SECRET_METADATA, SharedInformers } from "../../../src/kube/runtime/index.js";
import type { InformerHandler } from "../../../src/kube/runtime/index.js";
import { FakeKubeClient } from "../../../src/kube/testing/index.js";
import { FakeClock } from "../../../src/kube/testing/index.js";

const quiet = new Logger({ sink: () => undefined });
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setImmediate(r));
  expect(check()).toBe(true);
};

function secret(name: string, value = "c2VjcmV0", labels: Record<string, string> = {}): SecretObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, labels, managedFields: [{ manager: "x" }] }, data: { v: value } };
}

/** A handler that writes down what it hears. */
function journal(): { lines: string[]; handler: InformerHandler<SecretObject> } {
  const lines: string[] = [];
  return {
    lines,
    handler: {
      added: (key, _o, initial) => lines.push(`added ${key}${initial ? " (initial)" : ""}`),
      updated: (key) => lines.push(`updated ${key}`),
      deleted: (key) => lines.push(`deleted ${key}`),
    },
  };
}

describe("SharedInformer against the fake client", () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  function setup(client = new FakeKubeClient()) {
    const clock = new FakeClock();
    const informers = new SharedInformers({ client, logger: quiet, clock }, { minBackoffMs: 1000, maxBackoffMs: 1000 });
    stops.push(() => informers.stop());
    return { client, clock, informers, path: resourcePath(SECRETS, { namespace: "ns" }) };
  }

  it("lists page by page, then hears adds, updates and deletes through the watch, caching the transformed object", async () => {
    const { client, informers, path } = setup();
    for (const n of ["a", "b", "c"]) await client.create(path, secret(n));
    const informer = informers.informer({ resource: SECRETS, namespace: "ns", transform: SECRET_METADATA });
    const { lines, handler } = journal();
    informer.addHandler(handler);
    informers.start();
    await informer.synced();
    expect(lines).toEqual(["added ns/a (initial)", "added ns/b (initial)", "added ns/c (initial)"]);
    expect(informer.get("ns/a")?.data, "values are not cached").toBeUndefined();
    expect(informer.get("ns/a")?.metadata["managedFields"]).toBeUndefined();
    await client.create(path, secret("d"));
    await client.replace(resourcePath(SECRETS, { namespace: "ns", name: "a" }), { ...secret("a", "b3RoZXI=") });
    await client.delete(resourcePath(SECRETS, { namespace: "ns", name: "b" }));
    await until(() => lines.length === 6);
    expect(lines.slice(3)).toEqual(["added ns/d", "updated ns/a", "deleted ns/b"]);
    expect([...informer.keys()].sort()).toEqual(["ns/a", "ns/c", "ns/d"]);
  });

  it("METADATA_ONLY keeps identity, labels and generation, and no values, spec, status or bookkeeping; updates are still heard", async () => {
    const { client, informers, path } = setup();
    const canary = Buffer.from("metadata-only-canary").toString("base64");
    await client.create(path, { ...secret("a", canary, { "sigil.dev/sync": "s" }), stringData: { x: "metadata-only-canary" }, metadata: { name: "a", generation: 3, labels: { "sigil.dev/sync": "s" }, annotations: { [LAST_APPLIED_ANNOTATION]: `{"data":{"v":"${canary}"}}`, keep: "me" }, managedFields: [{ manager: "x" }] } });
    const informer = informers.informer({ resource: SECRETS, namespace: "ns", transform: METADATA_ONLY });
    const { lines, handler } = journal();
    informer.addHandler(handler);
    informers.start();
    await informer.synced();
    const cached = informer.get("ns/a");
    expect(cached?.apiVersion).toBe("v1");
    expect(cached?.kind).toBe("Secret");
    expect(cached?.metadata?.labels).toEqual({ "sigil.dev/sync": "s" });
    expect(cached?.metadata?.annotations).toEqual({ keep: "me" });
    expect(cached?.metadata?.generation).toBe((await client.get<SecretObject>(resourcePath(SECRETS, { namespace: "ns", name: "a" })))?.metadata.generation);
    expect(cached?.metadata?.generation).toBeTypeOf("number");
    expect(Object.keys(cached ?? {}).sort()).toEqual(["apiVersion", "kind", "metadata"]);
    expect(JSON.stringify(cached)).not.toContain(canary);
    expect(JSON.stringify(cached)).not.toContain("metadata-only-canary");
    expect(JSON.stringify(cached)).not.toContain("managedFields");
    await client.replace(resourcePath(SECRETS, { namespace: "ns", name: "a" }), secret("a", "b3RoZXI="));
    await until(() => lines.length === 2);
    expect(lines).toEqual(["added ns/a (initial)", "updated ns/a"]);
  });

  it("gives two requests for the same collection and transform one informer and one watch", async () => {
    const { client, informers } = setup();
    const a = informers.informer({ resource: SECRETS, namespace: "ns", transform: SECRET_METADATA });
    const b = informers.informer({ resource: SECRETS, namespace: "ns", transform: SECRET_METADATA });
    const c = informers.informer({ resource: SECRETS, namespace: "ns", labelSelector: "x=y", transform: SECRET_METADATA });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    informers.start();
    await informers.synced();
    expect(client.requests.watch).toBe(2);
  });

  it("resumes the watch from the last resourceVersion after the connection is cut, without listing again and without losing an event", async () => {
    const { client, clock, informers, path } = setup();
    await client.create(path, secret("a"));
    const informer = informers.informer({ resource: SECRETS, namespace: "ns", transform: SECRET_METADATA });
    const { lines, handler } = journal();
    informer.addHandler(handler);
    informers.start();
    await informer.synced();
    await until(() => client.watchCount === 1);
    client.cutWatches(new SigilError("kube.unreachable", "watch failed: cannot reach the api server (ECONNRESET)"));
    await client.create(path, secret("while-cut"));
    await until(() => clock.pending === 1);
    expect(lines).not.toContain("added ns/while-cut");
    clock.advance(1000);
    await until(() => lines.includes("added ns/while-cut"));
    expect(client.requests.list).toBe(1);
    expect(client.requests.watch).toBeGreaterThanOrEqual(2);
  });

  it("lists again on 410 Gone and reports objects deleted meanwhile as deletes", async () => {
    const { client, informers, path } = setup();
    await client.create(path, secret("a"));
    await client.create(path, secret("b"));
    const informer = informers.informer({ resource: SECRETS, namespace: "ns", transform: SECRET_METADATA });
    const { lines, handler } = journal();
    informer.addHandler(handler);
    informers.start();
    await informer.synced();
    await until(() => client.watchCount === 1);
    client.cutWatches();
    await client.delete(resourcePath(SECRETS, { namespace: "ns", name: "a" }));
    client.compact();
    await until(() => lines.includes("deleted ns/a"));
    expect(client.requests.list).toBe(2);
    expect(lines.filter((l) => l.includes("ns/b"))).toEqual(["added ns/b (initial)"]);
  });

  it("moves its resourceVersion forward on a bookmark", async () => {
    const { client, informers } = setup();
    const informer = informers.informer({ resource: SECRETS, namespace: "ns", transform: SECRET_METADATA });
    informers.start();
    await informer.synced();
    await until(() => client.watchCount === 1);
    const before = informer.resourceVersion;
    await client.create(resourcePath(SECRETS, { namespace: "other" }), secret("elsewhere"));
    client.bookmark();
    await until(() => informer.resourceVersion !== before);
    expect(Number(informer.resourceVersion)).toBeGreaterThan(Number(before));
  });

  it("replays the cache to a handler added after the first list, and keeps other handlers going when one throws", async () => {
    const { client, informers, path } = setup();
    await client.create(path, secret("a"));
    const informer = informers.informer({ resource: SECRETS, namespace: "ns", transform: SECRET_METADATA });
    informer.addHandler({
      added: () => {
        throw new Error("broken handler");
      },
    });
    informers.start();
    await informer.synced();
    const { lines, handler } = journal();
    informer.addHandler(handler);
    expect(lines).toEqual(["added ns/a (initial)"]);
    await client.create(path, secret("b"));
    await until(() => lines.includes("added ns/b"));
  });

  it("filters by label selector", async () => {
    const { client, informers, path } = setup();
    await client.create(path, secret("yes", "eA==", { app: "x" }));
    await client.create(path, secret("no", "eA==", { app: "y" }));
    const informer = informers.informer({ resource: SECRETS, namespace: "ns", labelSelector: "app=x", transform: SECRET_METADATA });
    informers.start();
    await informer.synced();
    expect([...informer.keys()]).toEqual(["ns/yes"]);
  });
});
