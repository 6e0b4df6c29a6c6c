/**
 * The Sync target cache, with plain-object clients (the same paths run
 * against two real API servers in test/integration/reconcile/remote.test.ts
 * and tenancy.test.ts): one impersonating client per (cluster, identity),
 * shared by the Syncs that use it and closed when the last one goes; the
 * default ServiceAccount; the preflight flag; the cross-namespace rule.
 */
import { describe, expect, it } from "vitest";
import { Logger, SigilError } from "../../../src/core/index.js";
import type { KubeClient } from "../../../src/kube/index.js";
import { SyncTargets, impersonatedUser, sourceKeyOf } from "../../../src/operator/gitops/index.js";
import type { ClosableClient } from "../../../src/operator/gitops/index.js";
import type { Sync } from "../../../src/reconcile/index.js";

const unused = (): Promise<never> => Promise.reject(new Error("no request expected"));
const fakeClient = (): KubeClient => ({ get: unused, list: unused, create: unused, replace: unused, patch: unused, delete: unused, watch: unused });

function sync(namespace: string, name: string, spec: Partial<Sync["spec"]> = {}): Sync {
  return { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { namespace, name }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, ...spec } };
}

function targets(defaultServiceAccount?: string): { t: SyncTargets; made: string[]; closed: string[] } {
  const made: string[] = [];
  const closed: string[] = [];
  const t = new SyncTargets({
    client: fakeClient(), logger: new Logger({ level: "error", sink: () => undefined }), defaultServiceAccount, onDrift: () => undefined,
    impersonate: (user): ClosableClient => {
      made.push(user);
      return { ...fakeClient(), close: () => { closed.push(user); } };
    },
    connect: () => { throw new Error("no remote cluster in this test"); },
  });
  return { t, made, closed };
}

describe("SyncTargets", () => {
  it("shares one impersonating client per identity, keeps the operator's own for Syncs that name none, and closes a client with its last Sync", async () => {
    const { t, made, closed } = targets();
    const a = await t.acquire("team/a", sync("team", "a", { serviceAccountName: "deployer" }));
    const b = await t.acquire("team/b", sync("team", "b", { serviceAccountName: "deployer" }));
    const plain = await t.acquire("team/c", sync("team", "c"));
    expect(made).toEqual(["system:serviceaccount:team:deployer"]);
    expect(a.manager).toBe(b.manager);
    expect(a.preflight).toBe(true);
    expect(plain.user).toBeUndefined();
    expect(plain.preflight).toBe(false);
    expect(plain.manager).not.toBe(a.manager);
    await t.release("team/a");
    expect(closed).toEqual([]);
    await t.acquire("team/b", sync("team", "b", { serviceAccountName: "other" })); // b moves to another identity
    expect(closed).toEqual(["system:serviceaccount:team:deployer"]);
    expect(t.size).toEqual({ remoteClusters: 0, identities: 1 });
    await t.stop();
    expect(closed).toEqual(["system:serviceaccount:team:deployer", "system:serviceaccount:team:other"]);
  });

  it("impersonates the default ServiceAccount of the Sync's own namespace when the Sync names none", async () => {
    const { t } = targets("tenant");
    expect((await t.acquire("x/a", sync("x", "a"))).user).toBe("system:serviceaccount:x:tenant");
    expect((await t.acquire("y/a", sync("y", "a", { serviceAccountName: "own" }))).user).toBe("system:serviceaccount:y:own");
    expect(impersonatedUser(sync("z", "a"), undefined)).toBeUndefined();
  });

  it("refuses a missing kubeConfig Secret with config.invalid naming the Sync, and holds nothing for it", async () => {
    const client: KubeClient = { ...fakeClient(), get: () => Promise.resolve(undefined) };
    const t = new SyncTargets({ client, logger: new Logger({ level: "error", sink: () => undefined }), defaultServiceAccount: undefined, onDrift: () => undefined, impersonate: () => { throw new Error("unused"); }, connect: () => { throw new Error("unused"); } });
    const err = await t.acquire("team/a", sync("team", "a", { kubeConfig: { secretRef: { name: "cluster2" } } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SigilError);
    expect(err).toMatchObject({ code: "config.invalid", subject: "Sync/team/a" });
    expect(t.size).toEqual({ remoteClusters: 0, identities: 0 });
  });

  it("keys the source by sourceRef.namespace, and refuses another namespace only when told to", () => {
    const s = sync("team", "a", { sourceRef: { kind: "GitSource", name: "repo", namespace: "shared" } });
    expect(sourceKeyOf(s, false)).toBe("shared/repo");
    expect(sourceKeyOf(sync("team", "a"), true)).toBe("team/repo");
    expect(() => sourceKeyOf(s, true)).toThrow(expect.objectContaining({ code: "sync.cross_namespace_ref", subject: "Sync/team/a" }) as Error);
  });
});
