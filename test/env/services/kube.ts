/** etcd + kube-apiserver + a minimal kube-controller-manager, on loopback with TLS and RBAC. */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeState } from "../state.js";
import type { Pki } from "../pki.js";
import { freePort, startDaemon, waitUntil } from "../proc.js";
import type { Daemon } from "../proc.js";

export interface KubeStarted {
  readonly state: KubeState;
  readonly daemons: Daemon[];
}

function kubeconfig(server: string, caFile: string, user: string, token: string): string {
  return JSON.stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "sigil-test", cluster: { server, "certificate-authority": caFile } }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: user, context: { cluster: "sigil-test", user, namespace: "default" } }],
      "current-context": user,
    },
    null,
    2,
  );
}

/** GET `path` on the API server with a bearer token; resolves to the HTTP status. */
export function kubeGet(server: string, ca: Buffer, token: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => { resolve({ status: res.statusCode ?? 0, body }); });
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

/**
 * The audit policy: one event per request at level Metadata (verb, resource,
 * namespace, name, user, user agent, response code; never a body), written
 * when the response is complete (RequestReceived is omitted, so each request
 * is one line; watches also log ResponseStarted).
 */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
`;

export async function startKube(dir: string, pki: Pki, bin: (tool: string) => string): Promise<KubeStarted> {
  mkdirSync(join(dir, "logs"), { recursive: true });
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const adminToken = randomBytes(16).toString("hex");
  const userToken = randomBytes(16).toString("hex");
  const tokens = join(pki.dir, "tokens.csv");
  writeFileSync(tokens, `${adminToken},admin,admin-uid,"system:masters"\n${userToken},operator,operator-uid,""\n`, { mode: 0o600 });

  const etcdData = join(dir, "etcd");
  const etcd = startDaemon("etcd", bin("etcd"), [
    "--name=sigil", `--data-dir=${etcdData}`,
    `--listen-client-urls=http://127.0.0.1:${etcdClient}`, `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=sigil=http://127.0.0.1:${etcdPeer}`, "--unsafe-no-fsync", "--log-level=warn",
  ], { log: join(dir, "logs", "etcd.log") });

  const server = `https://127.0.0.1:${apiPort}`;
  const auditPolicy = join(dir, "audit-policy.yaml");
  const auditLog = join(dir, "logs", "kube-audit.log");
  writeFileSync(auditPolicy, AUDIT_POLICY);
  const apiserverArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", `--secure-port=${apiPort}`,
    `--tls-cert-file=${pki.serverCrt}`, `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCrt}`, `--token-auth-file=${tokens}`,
    "--authorization-mode=RBAC",
    `--service-account-issuer=https://kubernetes.default.svc`, `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    "--service-cluster-ip-range=10.0.0.0/24", "--disable-admission-plugins=ServiceAccount",
    "--allow-privileged=true", "--enable-priority-and-fairness=false", "--endpoint-reconciler-type=none",
    `--cert-dir=${join(dir, "apiserver-certs")}`, "-v=1",
    // json lines, written before the response completes (blocking), never rotated.
    `--audit-policy-file=${auditPolicy}`, `--audit-log-path=${auditLog}`, "--audit-log-format=json", "--audit-log-mode=blocking",
  ];
  const apiserver = startDaemon("kube-apiserver", bin("kube-apiserver"), apiserverArgs, { log: join(dir, "logs", "kube-apiserver.log") });

  const kubeconfigPath = join(dir, "admin.kubeconfig");
  const userKubeconfig = join(dir, "operator.kubeconfig");
  writeFileSync(kubeconfigPath, kubeconfig(server, pki.caCrt, "admin", adminToken), { mode: 0o600 });
  writeFileSync(userKubeconfig, kubeconfig(server, pki.caCrt, "operator", userToken), { mode: 0o600 });

  const ca = readFileSync(pki.caCrt);
  await waitUntil("kube-apiserver /readyz", async () => (await kubeGet(server, ca, adminToken, "/readyz")).status === 200, {
    timeoutMs: 60_000,
    daemon: apiserver,
  });

  const kcm = startDaemon("kube-controller-manager", bin("kube-controller-manager"), [
    `--kubeconfig=${kubeconfigPath}`,
    // deployment + replicaset controllers: a pod-template change makes a new ReplicaSet, as on a real cluster (the rollout tests assert it).
    "--controllers=namespace-controller,garbage-collector-controller,serviceaccount-controller,deployment-controller,replicaset-controller",
    "--leader-elect=false", "--secure-port=0", "--use-service-account-credentials=false",
    `--service-account-private-key-file=${pki.saKey}`, `--root-ca-file=${pki.caCrt}`,
    "--concurrent-gc-syncs=5", "--namespace-sync-period=10s",
  ], { log: join(dir, "logs", "kube-controller-manager.log") });

  return {
    daemons: [etcd, apiserver, kcm],
    state: { server, kubeconfig: kubeconfigPath, userKubeconfig, caFile: pki.caCrt, adminToken, userToken, auditLog, apiserverArgs },
  };
}
