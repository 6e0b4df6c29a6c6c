import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, RbacAuthorizationV1Api, Watch } from "@kubernetes/client-node";
import type { V1ConfigMap, V1Secret } from "@kubernetes/client-node";
import { expect, it } from "vitest";
import { describePeers, peers, uniqueName } from "../../support/peers.js";

function config(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describePeers("kube-apiserver + etcd + kube-controller-manager (real control plane)", () => {
  it("creates a namespace and a Secret, and a watch sees the Secret", async () => {
    const kc = config(peers().kube.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const ns = uniqueName("ns");
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const seen: string[] = [];
    const watching = new Promise<void>((resolve, reject) => {
      void new Watch(kc)
        .watch(`/api/v1/namespaces/${ns}/secrets`, {}, (phase, obj: V1Secret) => {
          seen.push(`${phase}:${obj.metadata?.name ?? ""}`);
          if (obj.metadata?.name === "watched") resolve();
        }, (err: unknown) => {
          if (err instanceof Error) reject(err);
          else if (err !== null && err !== undefined) reject(new Error(JSON.stringify(err)));
        })
        .then((ctrl) => setTimeout(() => { ctrl.abort(); }, 15_000));
    });
    await new Promise((r) => setTimeout(r, 300));
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "watched" }, stringData: { k: "v" } } });
    await watching;
    expect(seen).toContain("ADDED:watched");
    const read = await core.readNamespacedSecret({ namespace: ns, name: "watched" });
    expect(Buffer.from(read.data?.["k"] ?? "", "base64").toString()).toBe("v");
  });

  it("server-side applies a ConfigMap with a field manager", async () => {
    const kc = config(peers().kube.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const ns = uniqueName("ssa");
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const cm: V1ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied", namespace: ns }, data: { a: "1" } };
    await objects.patch(cm, undefined, undefined, "sigil-test", true, PatchStrategy.ServerSideApply);
    const read = await core.readNamespacedConfigMap({ namespace: ns, name: "applied" });
    expect(read.data).toEqual({ a: "1" });
    expect(read.metadata?.managedFields?.map((f) => [f.manager, f.operation])).toContainEqual(["sigil-test", "Apply"]);
  });

  it("denies the non-admin identity where RBAC grants nothing, and allows it once granted", async () => {
    const env = peers();
    const admin = config(env.kube.kubeconfig);
    const ns = uniqueName("rbac");
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
    const user = config(env.kube.userKubeconfig).makeApiClient(CoreV1Api);
    await expect(user.listNamespacedSecret({ namespace: ns })).rejects.toMatchObject({ code: 403 });
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: "read-secrets" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }] } });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: { metadata: { name: "operator" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-secrets" }, subjects: [{ kind: "User", name: "operator", apiGroup: "rbac.authorization.k8s.io" }] },
    });
    const list = await eventually(async () => user.listNamespacedSecret({ namespace: ns }).catch(() => undefined), 10_000);
    expect(list.items).toEqual([]);
    await expect(user.listNamespacedSecret({ namespace: "default" })).rejects.toMatchObject({ code: 403 });
  });

  it("completes a namespace deletion and garbage-collects owned objects", async () => {
    const core = config(peers().kube.kubeconfig).makeApiClient(CoreV1Api);
    const ns = uniqueName("del");
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const owner = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "owner" } } });
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: "owned", ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata!.uid! }] } },
    });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: "owner" });
    await eventually(async () => core.readNamespacedSecret({ namespace: ns, name: "owned" }).then(() => undefined, (e: unknown) => ((e as { code?: number }).code === 404 ? true : undefined)), 30_000);
    await core.deleteNamespace({ name: ns });
    await eventually(async () => core.readNamespace({ name: ns }).then(() => undefined, (e: unknown) => ((e as { code?: number }).code === 404 ? true : undefined)), 60_000);
  });
});
