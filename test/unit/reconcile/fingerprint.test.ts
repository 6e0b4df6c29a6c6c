/**
 * The re-sync cache on its own (a fake watch cache; the real-peer test of
 * the same path is test/integration/reconcile/resync.test.ts): which
 * objects skip their diff, and which are diffed.
 */
import { describe, expect, it } from "vitest";
import type { ChangeSetEntry, KubeObject } from "../../../src/kube/index.js";
import { ResyncMemory } from "../../../src/reconcile/index.js";
import type { LiveRef } from "../../../src/reconcile/index.js";

const cm = (name: string, v: string, namespace?: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, data: { v } } as KubeObject);
const ns = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
/** `namespace` null: a cluster-scoped object. */
const entry = (o: KubeObject, action: ChangeSetEntry["action"], rv: string | undefined, namespace: string | null = "apps"): ChangeSetEntry => ({ subject: `${o.kind ?? ""}/${o.metadata?.name ?? ""}`, apiVersion: "v1", kind: o.kind ?? "", namespace: namespace ?? undefined, name: o.metadata?.name ?? "", action, ...(rv === undefined ? {} : { resourceVersion: rv }) });

function setup(): { memory: ResyncMemory; live: Map<string, string> } {
  const live = new Map<string, string>();
  const memory = new ResyncMemory({ confirms: (r: LiveRef, rv: string) => live.get(`${r.kind}/${r.namespace ?? ""}/${r.name}`) === rv });
  return { memory, live };
}

describe("ResyncMemory", () => {
  const a = cm("a", "1");
  const b = cm("b", "1", "other");
  const n = ns("apps");
  const applied = [entry(a, "created", "10"), entry(b, "unchanged", "11", "other"), entry(n, "configured", "12", null)];

  it("skips the diff of every object whose set, scope and live resourceVersion are those of the last apply", async () => {
    const { memory, live } = setup();
    live.set("ConfigMap/apps/a", "10").set("ConfigMap/other/b", "11").set("Namespace//apps", "12");
    const first = memory.session("ns/sync", "rev1\u00001");
    expect((await first.split([a, b, n], "apps")).rest).toHaveLength(3);
    first.remember(applied);
    const again = await memory.session("ns/sync", "rev1\u00001").split([a, b, n], "apps");
    expect(again.rest).toEqual([]);
    expect(again.known.map((e) => [e.name, e.action, e.resourceVersion])).toEqual([["a", "unchanged", "10"], ["b", "unchanged", "11"], ["apps", "unchanged", "12"]]);
    expect(again.known.every((e) => e.diff === undefined)).toBe(true);
  });

  const cases: { reason: string; scope: string; objects: KubeObject[]; live: [string, string][]; rest: string[] }[] = [
    { reason: "an object edited live (new resourceVersion) is diffed", scope: "rev1\u00001", objects: [a, b, n], live: [["ConfigMap/apps/a", "99"]], rest: ["a"] },
    { reason: "an object missing from the watch cache (deleted, not listed yet) is diffed", scope: "rev1\u00001", objects: [a, b, n], live: [["ConfigMap/other/b", ""]], rest: ["b"] },
    { reason: "a new revision diffs everything", scope: "rev2\u00001", objects: [a, b, n], live: [], rest: ["a", "b", "apps"] },
    { reason: "a new spec generation diffs everything", scope: "rev1\u00002", objects: [a, b, n], live: [], rest: ["a", "b", "apps"] },
    { reason: "a changed object (a new Secret value, say) diffs everything", scope: "rev1\u00001", objects: [cm("a", "2"), b, n], live: [], rest: ["a", "b", "apps"] },
    { reason: "an object added to the set diffs everything", scope: "rev1\u00001", objects: [a, b, n, cm("c", "1")], live: [], rest: ["a", "b", "apps", "c"] },
  ];
  for (const c of cases) {
    it(c.reason, async () => {
      const { memory, live } = setup();
      live.set("ConfigMap/apps/a", "10").set("ConfigMap/other/b", "11").set("Namespace//apps", "12");
      const s = memory.session("ns/sync", "rev1\u00001");
      await s.split([a, b, n], "apps");
      s.remember(applied);
      for (const [k, v] of c.live) if (v === "") live.delete(k); else live.set(k, v);
      expect((await memory.session("ns/sync", c.scope).split(c.objects, "apps")).rest.map((o) => o.metadata?.name)).toEqual(c.rest);
    });
  }

  it("does not remember skipped objects or entries without a resourceVersion, and forgets an owner", async () => {
    const { memory, live } = setup();
    live.set("ConfigMap/apps/a", "10").set("ConfigMap/other/b", "11");
    const s = memory.session("ns/sync", "r");
    await s.split([a, b], "apps");
    s.remember([{ ...entry(a, "skipped", "10"), reason: "ssa: Ignore" }, entry(b, "unchanged", undefined, "other")]);
    expect((await memory.session("ns/sync", "r").split([a, b], "apps")).rest).toHaveLength(2);
    const t = memory.session("ns/sync", "r");
    await t.split([a, b], "apps");
    t.remember([entry(a, "unchanged", "10"), entry(b, "unchanged", "11", "other")]);
    memory.forget("ns/sync");
    expect((await memory.session("ns/sync", "r").split([a, b], "apps")).rest).toHaveLength(2);
  });

  it("takes the version a repair of one object confirmed, for that owner only", async () => {
    const { memory, live } = setup();
    live.set("ConfigMap/apps/a", "10").set("ConfigMap/other/b", "11").set("Namespace//apps", "12");
    const s = memory.session("ns/sync", "rev1\u00001");
    await s.split([a, b, n], "apps");
    s.remember(applied);
    live.set("ConfigMap/apps/a", "20"); // edited, then repaired (or found unchanged) alone
    memory.confirm("ns/sync", [entry(a, "configured", "20"), entry(cm("x", "1"), "unchanged", "21")]);
    memory.confirm("ns/other", [entry(b, "unchanged", "99", "other")]);
    const again = await memory.session("ns/sync", "rev1\u00001").split([a, b, n], "apps");
    expect(again.rest).toEqual([]);
    expect(again.known.map((e) => e.resourceVersion)).toEqual(["20", "11", "12"]);
  });

  it("starts the watch of the kinds it is asked about before it answers", async () => {
    const watched: string[] = [];
    const memory = new ResyncMemory({ confirms: () => false, watchKinds: (refs) => Promise.resolve(void watched.push(...refs.map((r) => r.kind))) });
    await memory.session("ns/sync", "r").split([a, n], "apps");
    expect(watched).toEqual(["ConfigMap", "Namespace"]);
  });

  it("keeps owners apart", async () => {
    const { memory, live } = setup();
    live.set("ConfigMap/apps/a", "10");
    const s = memory.session("ns/one", "r");
    await s.split([a], "apps");
    s.remember([entry(a, "unchanged", "10")]);
    expect((await memory.session("ns/two", "r").split([a], "apps")).rest).toHaveLength(1);
  });
});
