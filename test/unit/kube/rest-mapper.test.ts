import { describe, expect, it } from "vitest";
import { RestMapper, gvkOf } from "../../../src/kube/index.js";
import type { KubeClient } from "../../../src/kube/index.js";
import { SigilError } from "../../../src/core/index.js";

/** A discovery-only client: `docs` maps a path to its APIResourceList (absent = 404). */
function discoveryClient(docs: Record<string, unknown>, calls: string[]): KubeClient {
  const unused = (): Promise<never> => Promise.reject(new Error("not used"));
  return {
    get: <T>(path: string): Promise<T | undefined> => {
      calls.push(path);
      return Promise.resolve(docs[path] as T | undefined);
    },
    list: unused,
    create: unused,
    replace: unused,
    patch: unused,
    delete: unused,
    watch: unused,
  };
}

const CORE = { resources: [{ name: "secrets", kind: "Secret", namespaced: true, verbs: ["get"] }, { name: "namespaces", kind: "Namespace", namespaced: false, verbs: ["get"] }, { name: "namespaces/status", kind: "Namespace", namespaced: false }] };

describe("RestMapper", () => {
  it("maps kinds to resource and scope from the group version's discovery document, cached", async () => {
    const calls: string[] = [];
    const mapper = new RestMapper(discoveryClient({ "/api/v1": CORE }, calls));
    expect(await mapper.mapping(gvkOf({ apiVersion: "v1", kind: "Secret" }))).toMatchObject({ plural: "secrets", namespaced: true });
    expect(await mapper.mapping(gvkOf({ apiVersion: "v1", kind: "Namespace" }))).toMatchObject({ plural: "namespaces", namespaced: false });
    expect(calls).toEqual(["/api/v1"]);
  });

  it("refetches a group version when a kind is unknown, so a new CRD becomes usable", async () => {
    const calls: string[] = [];
    const docs: Record<string, unknown> = {};
    let now = 0;
    const mapper = new RestMapper(discoveryClient(docs, calls), { now: () => now, minRefreshMs: 100 });
    const gvk = gvkOf({ apiVersion: "x.io/v1", kind: "Thing" });
    await expect(mapper.mapping(gvk)).rejects.toMatchObject({ code: "kube.unknown_kind" });
    docs["/apis/x.io/v1"] = { resources: [{ name: "things", kind: "Thing", namespaced: true }] };
    // Within minRefreshMs the cached "not served" answer stands (no request storm)...
    expect(await mapper.find(gvk)).toBeUndefined();
    now = 100;
    // ...after it, the unknown kind triggers a refetch.
    expect(await mapper.mapping(gvk)).toMatchObject({ plural: "things" });
    expect(calls).toEqual(["/apis/x.io/v1", "/apis/x.io/v1"]);
  });

  it("waitFor polls until the kind is served, then gives up with kube.unknown_kind", async () => {
    const calls: string[] = [];
    let now = 0;
    const mapper = new RestMapper(discoveryClient({}, calls), { now: () => now, minRefreshMs: 0, pollMs: 10, sleep: (ms) => ((now += ms), Promise.resolve()) });
    const err: unknown = await mapper.waitFor(gvkOf({ apiVersion: "x.io/v1", kind: "Thing" }), 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SigilError);
    expect((err as SigilError).message).toContain("Thing x.io/v1");
    expect(calls.length).toBeGreaterThan(3);
  });
});
