/**
 * The environment's second cluster is a cluster of its own: its own etcd (an
 * object made in one is absent in the other), its own CA (neither trusts the
 * other's serving certificate), its own tokens (the first's admin token is
 * refused by the second), its own audit log, and a controller manager that
 * finishes namespace deletion and garbage collection there too.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { HttpKubeClient, kubeconfigConnection } from "../../../src/kube/index.js";
import { kubeGet } from "../../env/services/kube.js";
import { countBy, describePeers, kubeAuditMark, kubeAuditSince, peers, secondCluster, uniqueName } from "../../support/peers.js";
import type { KubeState } from "../../support/peers.js";

function client(kube: KubeState): { client: HttpKubeClient; userAgent: string } {
  const connection = kubeconfigConnection(kube.kubeconfig);
  if (connection === undefined) throw new Error(`${kube.kubeconfig} needs a plugin`);
  const userAgent = `sigil-env-two-clusters-${randomBytes(4).toString("hex")}`;
  return { client: new HttpKubeClient(connection, { userAgent }), userAgent };
}

function namespace(name: string): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describePeers("the second cluster of the environment", () => {
  it("has its own server, CA file and kubeconfig", () => {
    const one = peers().kube;
    const two = secondCluster();
    expect(two.server).not.toBe(one.server);
    expect(two.kubeconfig).not.toBe(one.kubeconfig);
    expect(readFileSync(two.caFile, "utf8")).not.toBe(readFileSync(one.caFile, "utf8"));
    expect(two.adminToken).not.toBe(one.adminToken);
  });

  it("keeps its own objects: what is created in one cluster is absent in the other", async () => {
    const first = client(peers().kube).client;
    const second = client(secondCluster()).client;
    const [a, b] = [uniqueName("only-first"), uniqueName("only-second")];
    await first.create("/api/v1/namespaces", namespace(a));
    await second.create("/api/v1/namespaces", namespace(b));
    await first.create(`/api/v1/namespaces/${a}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "here" }, data: { k: "1" } });
    expect(await first.get(`/api/v1/namespaces/${a}`)).toBeDefined();
    expect(await second.get(`/api/v1/namespaces/${b}`)).toBeDefined();
    expect(await second.get(`/api/v1/namespaces/${a}`)).toBeUndefined();
    expect(await second.get(`/api/v1/namespaces/${a}/configmaps/here`)).toBeUndefined();
    expect(await first.get(`/api/v1/namespaces/${b}`)).toBeUndefined();
  });

  it("refuses the first cluster's admin token, and neither CA trusts the other's server", async () => {
    const one = peers().kube;
    const two = secondCluster();
    const [ca1, ca2] = [readFileSync(one.caFile), readFileSync(two.caFile)];
    expect((await kubeGet(two.server, ca2, two.adminToken, "/api/v1/namespaces")).status).toBe(200);
    expect((await kubeGet(two.server, ca2, one.adminToken, "/api/v1/namespaces")).status).toBe(401);
    expect((await kubeGet(one.server, ca1, two.adminToken, "/api/v1/namespaces")).status).toBe(401);
    await expect(kubeGet(two.server, ca1, two.adminToken, "/readyz")).rejects.toThrow(/certificate/i);
    await expect(kubeGet(one.server, ca2, one.adminToken, "/readyz")).rejects.toThrow(/certificate/i);
  });

  it("writes its own audit log: requests to it are counted there and not in the first's", async () => {
    const { client: second, userAgent } = client(secondCluster());
    const first = client(peers().kube).client;
    const [mark1, mark2] = [kubeAuditMark(), kubeAuditMark("kube2")];
    expect(mark2.path).not.toBe(mark1.path);
    const ns = uniqueName("audited");
    await second.create("/api/v1/namespaces", namespace(ns));
    await second.get(`/api/v1/namespaces/${ns}`);
    const there = (await kubeAuditSince(mark2, second)).filter((e) => e.userAgent === userAgent);
    expect(countBy(there, (e) => `${e.verb} ${String(e.code)}`)).toEqual({ "create 201": 1, "get 200": 1 });
    expect((await kubeAuditSince(mark1, first)).filter((e) => e.userAgent === userAgent)).toEqual([]);
  });

  it("finishes a namespace deletion and collects owned objects (its own controller manager)", async () => {
    const { client: second } = client(secondCluster());
    const ns = uniqueName("del2");
    await second.create("/api/v1/namespaces", namespace(ns));
    const owner = await second.create<{ metadata: { uid: string } }>(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owner" } });
    const ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid }];
    await second.create(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owned", ownerReferences } });
    await second.delete(`/api/v1/namespaces/${ns}/configmaps/owner`);
    await eventually("the owned ConfigMap to be collected", async () => ((await second.get(`/api/v1/namespaces/${ns}/configmaps/owned`)) === undefined ? true : undefined), 30_000);
    await second.delete(`/api/v1/namespaces/${ns}`);
    await eventually("the namespace to be gone", async () => ((await second.get(`/api/v1/namespaces/${ns}`)) === undefined ? true : undefined), 60_000);
  });
});
