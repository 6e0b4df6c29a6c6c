/**
 * The RBAC of deploy/ is enough, and is what the operator runs with: the
 * ServiceAccount, ClusterRoles and ClusterRoleBindings of `kustomize build
 * deploy` are applied (names suffixed, the ServiceAccount in a namespace of
 * the test's), a token of that ServiceAccount is made with the TokenRequest
 * API, and `sigil operator` runs in-process with a kubeconfig holding only
 * that token and the controllers that can be confined to the test's objects
 * (`sealedsecrets` with `--all-namespaces=false`; `gitsources`, `syncs`,
 * `receivers`; not `externalsecrets`, which would take other tests' stores
 * in the shared cluster). The SealedSecret happy path (a sealed
 * value unsealed into its Secret, status Synced), the Sync happy path (a
 * GitSource fetched, its ConfigMap applied, Ready, a drifted edit reverted)
 * and the webhook path (a Receiver Ready, a signed push makes the new commit
 * applied) work, and the operator logs no `forbidden`.
 */
import { createHmac, createPublicKey } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { runCli } from "../../../src/cli/index.js";
import { createOperatorCommand, manualSignals } from "../../../src/cli/commands/operator/index.js";
import type { ManualSignals } from "../../../src/cli/commands/operator/index.js";
import { ResourceManager } from "../../../src/kube/index.js";
import type { HttpKubeClient, KubeObject, SecretObject } from "../../../src/kube/index.js";
import { SEALING_KEY_LABEL } from "../../../src/decrypt/sealed-secrets/index.js";
import { adminClient, createNamespace, deleteNamespace, ensureSealedSecretCrd, freePort, sealed, syncedCondition, waitFor } from "../../support/bitnami.js";
import { applyCrdFiles, crdFile } from "../../support/crds.js";
import { ensureEsoCrds } from "../../support/eso.js";
import { createRepo } from "../../support/git.js";
import { describePeers, peerBin, peers, uniqueName } from "../../support/peers.js";
import { commit } from "../../support/reconcile.js";
import { buildDeploy } from "./support.js";
import type { Built } from "./support.js";

const API = "/apis/gitops.sigil.dev/v1alpha1";
const CANARY = "deploy-rbac-canary-3f1e";
const cm = (v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  v: "${v}"\n`;

/** The build's ServiceAccount and cluster RBAC, renamed for this run: ClusterRoles and bindings get `suffix`, the ServiceAccount goes to `ns`. */
function rbacObjects(ns: string, suffix: string): Built[] {
  const rename = (name: string | undefined): string => `${name ?? ""}-${suffix}`;
  return buildDeploy().flatMap((o): Built[] => {
    if (o.kind === "ServiceAccount") return [{ ...o, metadata: { ...o.metadata, namespace: ns } }];
    if (o.kind === "ClusterRole") return [{ ...o, metadata: { ...o.metadata, name: rename(o.metadata?.name) } }];
    if (o.kind !== "ClusterRoleBinding") return [];
    const b = o as Built & { roleRef: { name: string }; subjects: { namespace?: string }[] };
    return [{ ...b, metadata: { ...b.metadata, name: rename(b.metadata?.name) }, roleRef: { ...b.roleRef, name: rename(b.roleRef.name) }, subjects: b.subjects.map((s) => ({ ...s, namespace: ns })) }];
  });
}

describePeers("deploy/ RBAC: the operator under exactly the ServiceAccount's ClusterRoles", () => {
  let admin: HttpKubeClient;
  let ns: string;
  let dir: string;
  let rbac: Built[];
  let signals: ManualSignals;
  let exit: Promise<number>;
  let webhookPort = 0;
  const err: string[] = [];

  beforeAll(async () => {
    admin = adminClient();
    await ensureSealedSecretCrd(admin);
    await ensureEsoCrds(admin);
    await applyCrdFiles(admin, ["gitsources", "syncs", "receivers"].map((p) => crdFile(`gitops.sigil.dev_${p}.yaml`)));
    ns = uniqueName("deploy-rbac");
    await createNamespace(ns, admin);
    rbac = rbacObjects(ns, ns);
    await new ResourceManager({ client: admin }).apply(rbac, { fieldManager: "sigil-deploy-test", force: true });
    const sa = rbac.find((o) => o.kind === "ServiceAccount")?.metadata?.name ?? "";
    const tr = await admin.create<{ status?: { token?: string } }>(`/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } });
    dir = mkdtempSync(join(tmpdir(), "sigil-deploy-rbac-"));
    const kubeconfig = join(dir, "kubeconfig");
    const k = peers().kube;
    writeFileSync(kubeconfig, JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: "c", cluster: { server: k.server, "certificate-authority": k.caFile } }], users: [{ name: "sa", user: { token: tr.status?.token ?? "" } }], contexts: [{ name: "sa", context: { cluster: "c", user: "sa" } }], "current-context": "sa" }), { mode: 0o600 });
    signals = manualSignals();
    webhookPort = await freePort();
    const ctx = { stdin: new PassThrough(), stdout: { write: () => true }, stderr: { write: (s: string | Uint8Array) => err.push(String(s)) }, env: { HOME: dir, SIGIL_KUSTOMIZE: peerBin("kustomize") }, cwd: process.cwd(), logger: new Logger({ sink: () => undefined }) };
    exit = runCli(["operator", "--kubeconfig", kubeconfig, "-n", ns, "--controllers", "sealedsecrets,gitsources,syncs,receivers", "--all-namespaces=false", "--listen-addr", "127.0.0.1:0", "--webhook-addr", `127.0.0.1:${String(webhookPort)}`, "--health-addr", "127.0.0.1:0", "--key-size", "2048", "--log-level", "debug"], ctx, [createOperatorCommand({ signals: () => signals })]);
  }, 120_000);

  afterAll(async () => {
    signals.stop("test");
    expect(await exit).toBe(0);
    for (const o of rbac.filter((x) => x.kind !== "ServiceAccount")) {
      const plural = o.kind === "ClusterRole" ? "clusterroles" : "clusterrolebindings";
      await admin.delete(`/apis/rbac.authorization.k8s.io/v1/${plural}/${o.metadata?.name ?? ""}`).catch(() => undefined);
    }
    await deleteNamespace(ns, admin);
    rmSync(dir, { recursive: true, force: true });
    admin.close();
  });

  it("unseals a SealedSecret into its Secret, with status, as the ServiceAccount", async () => {
    const key = await waitFor("the sealing key", async () => (await admin.list<SecretObject>(`/api/v1/namespaces/${ns}/secrets`, { labelSelector: SEALING_KEY_LABEL })).items[0], 60_000, 200);
    const publicKey = createPublicKey(Buffer.from(key.data?.["tls.crt"] ?? "", "base64").toString("utf8"));
    await admin.create(`/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets`, sealed(publicKey, ns, "db", { password: CANARY }));
    await syncedCondition(admin, ns, "db", "True", 60_000);
    const secret = await admin.get<SecretObject>(`/api/v1/namespaces/${ns}/secrets/db`);
    expect(Buffer.from(secret?.data?.["password"] ?? "", "base64").toString("utf8")).toBe(CANARY);
  }, 90_000);

  it("fetches a GitSource, applies its Sync (Ready), reverts drift, and applies a commit pushed through a Receiver, as the ServiceAccount", async () => {
    const repo = createRepo(uniqueName("deploy-rbac"), { "app/cm.yaml": cm("1") });
    const v = { apiVersion: "gitops.sigil.dev/v1alpha1" };
    await admin.create(`${API}/namespaces/${ns}/gitsources`, { ...v, kind: "GitSource", metadata: { name: "repo" }, spec: { url: repo.fileUrl, ref: { branch: "main" }, interval: "1h" } });
    await admin.create(`${API}/namespaces/${ns}/syncs`, { ...v, kind: "Sync", metadata: { name: "app" }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", interval: "1h" } });
    await admin.create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "hook" }, stringData: { token: "deploy-rbac-hook-token" } });
    await admin.create(`${API}/namespaces/${ns}/receivers`, { ...v, kind: "Receiver", metadata: { name: "hook" }, spec: { type: "generic-hmac", secretRef: { name: "hook" }, resources: [{ name: "repo" }] } });
    const ready = async (plural: string, name: string): Promise<true | undefined> =>
      (await admin.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`${API}/namespaces/${ns}/${plural}/${name}`))?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true || undefined;
    await waitFor("the Sync Ready", () => ready("syncs", "app"), 60_000, 200);
    await waitFor("the Receiver Ready", () => ready("receivers", "hook"), 30_000, 200);
    const value = async (): Promise<string | undefined> => (await admin.get<KubeObject & { data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/app`))?.data?.["v"];
    expect(await value()).toBe("1");
    await admin.patch(`/api/v1/namespaces/${ns}/configmaps/app`, { data: { v: "edited" } }, "merge");
    await waitFor("the drift reverted", async () => ((await value()) === "1" ? true : undefined), 30_000, 100);
    commit(repo, { "app/cm.yaml": cm("2") });
    const path = (await admin.get<{ status?: { webhookPath?: string } }>(`${API}/namespaces/${ns}/receivers/hook`))?.status?.webhookPath ?? "";
    const body = JSON.stringify({ ref: "refs/heads/main" });
    const res = await fetch(`http://127.0.0.1:${String(webhookPort)}${path}`, { method: "POST", body, headers: { "x-signature": `sha256=${createHmac("sha256", "deploy-rbac-hook-token").update(body).digest("hex")}` } });
    expect(res.status).toBe(200);
    await waitFor("the push's fetch request on the GitSource", async () => (await admin.get<{ metadata: { annotations?: Record<string, string> } }>(`${API}/namespaces/${ns}/gitsources/repo`))?.metadata.annotations?.["gitops.sigil.dev/requestedAt"], 30_000, 100);
    await waitFor("the new commit applied", async () => ((await value()) === "2" ? true : undefined), 60_000, 200);
    // The API server's RBAC denials name the user ("… is forbidden: User \"system:serviceaccount:…\" cannot …"); other
    // forbidden answers (objects of other tests in namespaces being deleted) are not about this role.
    const logs = err.join("");
    expect(logs).not.toContain(`system:serviceaccount:${ns}:`);
    expect(logs).not.toContain(CANARY);
  }, 180_000);
});
