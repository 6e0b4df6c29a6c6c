/**
 * The render memory on its own (the controller path that uses it is
 * test/integration/reconcile/resync.test.ts): what is reused, and when it
 * is not.
 */
import { describe, expect, it } from "vitest";
import { RenderMemory } from "../../../src/reconcile/index.js";
import type { Manifest } from "../../../src/reconcile/index.js";

const manifests = (n: number, tag = "a"): Manifest[] => Array.from({ length: n }, (_, i) => ({ object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${tag}-${String(i)}` } }, source: `${tag}.yaml` }));

describe("RenderMemory", () => {
  it("gives back the decrypted render of the same owner and scope, and nothing for another scope or owner", () => {
    const memory = new RenderMemory();
    const first = memory.session("ns/s", "rev1");
    expect(first.get()).toBeUndefined();
    const made = manifests(3);
    first.remember(made);
    expect(memory.session("ns/s", "rev1").get()).toEqual(made);
    expect(memory.session("ns/s", "rev2").get(), "a new revision, spec or key version renders again").toBeUndefined();
    expect(memory.session("ns/other", "rev1").get(), "owners are kept apart").toBeUndefined();
  });

  it("keeps one render per owner: a new scope replaces the old one", () => {
    const memory = new RenderMemory();
    memory.session("ns/s", "rev1").remember(manifests(3));
    memory.session("ns/s", "rev2").remember(manifests(2, "b"));
    expect(memory.session("ns/s", "rev1").get()).toBeUndefined();
    expect(memory.session("ns/s", "rev2").get()).toHaveLength(2);
    expect(memory.size).toEqual({ owners: 1, objects: 2 });
  });

  it("keeps nothing when the render used inputs outside the scope, and forgets an owner", () => {
    const memory = new RenderMemory();
    memory.session("ns/s", "rev1").remember(manifests(3));
    memory.session("ns/s", "rev1", () => false).remember(manifests(3));
    expect(memory.session("ns/s", "rev1").get(), "not kept, and the older render of the same scope is dropped too").toBeUndefined();
    memory.session("ns/t", "rev1").remember(manifests(3));
    memory.forget("ns/t");
    expect(memory.session("ns/t", "rev1").get()).toBeUndefined();
    expect(memory.size).toEqual({ owners: 0, objects: 0 });
  });

  it("stays within its bound, dropping the owners used least recently", () => {
    const memory = new RenderMemory({ maxObjects: 10 });
    memory.session("a", "r").remember(manifests(4));
    memory.session("b", "r").remember(manifests(4));
    expect(memory.session("a", "r").get(), "a is used: b is now the least recent").toHaveLength(4);
    memory.session("c", "r").remember(manifests(4));
    expect(memory.session("b", "r").get()).toBeUndefined();
    expect(memory.session("a", "r").get()).toHaveLength(4);
    expect(memory.session("c", "r").get()).toHaveLength(4);
    memory.session("d", "r").remember(manifests(11));
    expect(memory.session("d", "r").get(), "a render larger than the bound is not kept").toBeUndefined();
    expect(memory.size.objects).toBeLessThanOrEqual(10);
  });
});
