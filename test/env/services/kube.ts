/**
 * etcd + kube-apiserver + a minimal kube-controller-manager, on loopback with
 * TLS and RBAC. The environment runs two such clusters: the primary one, and
 * a second, independent one (its own etcd, CA, tokens and ports) that tests
 * use as a remote cluster.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import type { KubeState } from "../state.js";
import type { Pki } from "../pki.js";
import { freePort, startDaemon, waitUntil } from "../proc.js";
import type { Daemon } from "../proc.js";

/** Where one cluster keeps its files and what its processes are called. */
export interface KubeLayout {
  /** Name of the cluster in its kubeconfigs. */
  readonly cluster: string;
  /** Suffix of the process names (`etcd${suffix}`, `kube-apiserver${suffix}`, …) and log files. */
  readonly suffix: string;
  /** Directory for this cluster's data (etcd, API server certs), kubeconfigs and audit policy; emptied by each `up`. */
  readonly dir: string;
  /** Directory for the log files (shared by the environment). */
  readonly logs: string;
}

/** The primary cluster: files at the top of the environment directory, as before the second cluster existed. */
export function primaryLayout(envDir: string): KubeLayout {
  return { cluster: "sigil-test", suffix: "", dir: envDir, logs: join(envDir, "logs") };
}

/** The second cluster: everything under `<env>/kube2/`, processes and logs suffixed `-2`. */
export function secondLayout(envDir: string): KubeLayout {
  return { cluster: "sigil-test-2", suffix: "-2", dir: join(envDir, "kube2"), logs: join(envDir, "logs") };
}

export interface KubeStarted {
  readonly state: KubeState;
  readonly daemons: Daemon[];
}

function kubeconfig(cluster: string, server: string, caFile: string, user: string, token: string): string {
  return JSON.stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: cluster, cluster: { server, "certificate-authority": caFile } }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: user, context: { cluster, user, namespace: "default" } }],
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

function startEtcd(l: KubeLayout, etcdBin: string, client: number, peer: number): Daemon {
  const url = (port: number): string => `http://127.0.0.1:${port}`;
  return startDaemon(`etcd${l.suffix}`, etcdBin, [
    "--name=sigil", `--data-dir=${join(l.dir, "etcd")}`,
    `--listen-client-urls=${url(client)}`, `--advertise-client-urls=${url(client)}`,
    `--listen-peer-urls=${url(peer)}`, `--initial-advertise-peer-urls=${url(peer)}`,
    `--initial-cluster=sigil=${url(peer)}`, "--unsafe-no-fsync", "--log-level=warn",
  ], { log: join(l.logs, `etcd${l.suffix}.log`) });
}

function apiserverArgsFor(l: KubeLayout, pki: Pki, ports: { etcd: number; api: number }, tokens: string, audit: { policy: string; log: string }): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcd}`,
    "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", `--secure-port=${ports.api}`,
    `--tls-cert-file=${pki.serverCrt}`, `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCrt}`, `--token-auth-file=${tokens}`,
    "--authorization-mode=RBAC",
    `--service-account-issuer=https://kubernetes.default.svc`, `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    "--service-cluster-ip-range=10.0.0.0/24", "--disable-admission-plugins=ServiceAccount",
    "--allow-privileged=true", "--enable-priority-and-fairness=false", "--endpoint-reconciler-type=none",
    `--cert-dir=${join(l.dir, "apiserver-certs")}`, "-v=1",
    // json lines, written before the response completes (blocking), never rotated.
    `--audit-policy-file=${audit.policy}`, `--audit-log-path=${audit.log}`, "--audit-log-format=json", "--audit-log-mode=blocking",
  ];
}

/**
 * The controllers a real cluster relies on that the tests exercise: namespace
 * deletion (finalization), garbage collection (ownerReferences, Foreground
 * deletes), the `default` ServiceAccount of each namespace, and Deployments
 * turning pod-template changes into ReplicaSets (no scheduler or kubelet: pods stay Pending).
 */
function startControllerManager(l: KubeLayout, pki: Pki, kcmBin: string, kubeconfigPath: string): Daemon {
  return startDaemon(`kube-controller-manager${l.suffix}`, kcmBin, [
    `--kubeconfig=${kubeconfigPath}`,
    "--controllers=namespace-controller,garbage-collector-controller,serviceaccount-controller,deployment-controller,replicaset-controller",
    "--leader-elect=false", "--secure-port=0", "--use-service-account-credentials=false",
    `--service-account-private-key-file=${pki.saKey}`, `--root-ca-file=${pki.caCrt}`,
    "--concurrent-gc-syncs=5", "--namespace-sync-period=10s",
  ], { log: join(l.logs, `kube-controller-manager${l.suffix}.log`) });
}

/** Start one cluster laid out as `l`, signed by `pki`; resolves when its API server is ready (the controller manager is started, not awaited). */
export async function startKube(l: KubeLayout, pki: Pki, bin: (tool: string) => string): Promise<KubeStarted> {
  mkdirSync(l.logs, { recursive: true });
  mkdirSync(l.dir, { recursive: true });
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const adminToken = randomBytes(16).toString("hex");
  const userToken = randomBytes(16).toString("hex");
  const tokens = join(pki.dir, "tokens.csv");
  writeFileSync(tokens, `${adminToken},admin,admin-uid,"system:masters"\n${userToken},operator,operator-uid,""\n`, { mode: 0o600 });

  const etcd = startEtcd(l, bin("etcd"), etcdClient, etcdPeer);
  const server = `https://127.0.0.1:${apiPort}`;
  const audit = { policy: join(l.dir, "audit-policy.yaml"), log: join(l.logs, `kube-audit${l.suffix}.log`) };
  writeFileSync(audit.policy, AUDIT_POLICY);
  const apiserverArgs = apiserverArgsFor(l, pki, { etcd: etcdClient, api: apiPort }, tokens, audit);
  const apiserver = startDaemon(`kube-apiserver${l.suffix}`, bin("kube-apiserver"), apiserverArgs, { log: join(l.logs, `kube-apiserver${l.suffix}.log`) });

  const kubeconfigPath = join(l.dir, "admin.kubeconfig");
  const userKubeconfig = join(l.dir, "operator.kubeconfig");
  writeFileSync(kubeconfigPath, kubeconfig(l.cluster, server, pki.caCrt, "admin", adminToken), { mode: 0o600 });
  writeFileSync(userKubeconfig, kubeconfig(l.cluster, server, pki.caCrt, "operator", userToken), { mode: 0o600 });

  const ca = readFileSync(pki.caCrt);
  await waitUntil(`kube-apiserver${l.suffix} /readyz`, async () => (await kubeGet(server, ca, adminToken, "/readyz")).status === 200, {
    timeoutMs: 60_000,
    daemon: apiserver,
  });
  const kcm = startControllerManager(l, pki, bin("kube-controller-manager"), kubeconfigPath);
  return {
    daemons: [etcd, apiserver, kcm],
    state: { server, kubeconfig: kubeconfigPath, userKubeconfig, caFile: pki.caCrt, adminToken, userToken, auditLog: audit.log, apiserverArgs },
  };
}
