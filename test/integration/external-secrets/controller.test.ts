/**
 * Sigil's `externalsecrets` controller on the shared runtime (Manager +
 * informers), against the real API server and a private OpenBao (so it can
 * be stopped mid-run without touching the shared one): sync, store Ready
 * conditions, drift revert by watching, force-sync refresh, one login for
 * many ExternalSecrets, and an outage that keeps the last Secret and recovers.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import { TokenCache } from "../../../src/providers/index.js";
import type { ExternalSecret, SecretStore } from "../../../src/external-secrets/index.js";
import { ExternalSecretsController } from "../../../src/operator/external-secrets/controller.js";
import { adminClient, createNamespace, deleteNamespace, freePort, waitFor } from "../../support/bitnami.js";
import { ensureEsoCrds } from "../../support/eso.js";
import { describePeers, peerBin, uniqueName } from "../../support/peers.js";
import { putSecret, secretData } from "./support.js";

const CLASS = "sigil-ctl";
const ROOT = "root-sigil-ctl-test";

interface Bao { addr: string; stop(): Promise<void>; start(): Promise<void>; cleanup(): void }

async function privateBao(): Promise<Bao> {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), "sigil-bao-"));
  const addr = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn(peerBin("bao"), ["server", "-dev", `-dev-root-token-id=${ROOT}`, `-dev-listen-address=127.0.0.1:${port}`, "-dev-no-store-token"], { env: { PATH: process.env["PATH"] ?? "", HOME: home, SKIP_SETCAP: "1" }, stdio: "ignore" });
    await waitFor("private openbao", async () => ((await fetch(`${addr}/v1/sys/health`).catch(() => undefined))?.status === 200 ? true : undefined), 30_000, 100);
    await call("POST", "secret/data/db", { data: { password: "p1-canary", user: "app" } });
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
  };
  const call = async (method: string, path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${addr}/v1/${path}`, { method, headers: { "X-Vault-Token": ROOT }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${path}: ${res.status}`);
  };
  await start();
  return { addr, start, stop, cleanup: () => { rmSync(home, { recursive: true, force: true }); } };
}

describePeers("the externalsecrets controller", () => {
  let client: HttpKubeClient;
  let ns: string;
  let bao: Bao;
  let manager: Manager;
  let controller: ExternalSecretsController;
  const tokens = new TokenCache();
  const esPath = (): string => `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`;

  const baoPut = async (password: string): Promise<void> => {
    await fetch(`${bao.addr}/v1/secret/data/db`, { method: "POST", headers: { "X-Vault-Token": ROOT }, body: JSON.stringify({ data: { password, user: "app" } }) });
  };
  const ready = async (name: string, status: string): Promise<{ reason?: string; message?: string }> =>
    waitFor(`${name} Ready=${status}`, async () => {
      const es = await client.get<ExternalSecret>(`${esPath()}/${name}`);
      const c = es?.status?.conditions?.find((x) => x.type === "Ready");
      return c?.status === status ? c : undefined;
    }, 30_000, 100);
  const createEs = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await client.create(esPath(), { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name }, spec: { refreshInterval: "1h", secretStoreRef: { name: "vault" }, ...spec } });
  };

  beforeAll(async () => {
    client = adminClient();
    await ensureEsoCrds(client);
    bao = await privateBao();
    ns = uniqueName("es-ctl");
    await createNamespace(ns, client);
    await putSecret(client, ns, "vault-token", { token: ROOT });
    await client.create(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores`, { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "vault" }, spec: { controller: CLASS, provider: { vault: { server: bao.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token" } } } } } });
    await client.create(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores`, { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "fake" }, spec: { controller: CLASS, provider: { fake: { data: [] } } } });
    controller = new ExternalSecretsController({ namespaces: [ns], controllerClass: CLASS, tokens, baseBackoffMs: 200, maxBackoffMs: 2_000 });
    manager = new Manager(client, { logger: new Logger({ level: "error", sink: () => undefined }) }).add(controller);
    await manager.start();
  });

  afterAll(async () => {
    await manager.stop();
    await bao.stop();
    bao.cleanup();
    await deleteNamespace(ns, client);
  });

  it("marks the vault store Ready and a non-vault store InvalidProviderConfig", async () => {
    const cond = async (name: string): Promise<{ status: string; reason?: string; message?: string }> => waitFor(`store ${name}`, async () => {
      const s = await client.get<SecretStore>(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores/${name}`);
      return s?.status?.conditions?.find((c) => c.type === "Ready");
    }, 30_000, 100);
    expect(await cond("vault")).toMatchObject({ status: "True", reason: "Valid", message: "store validated" });
    expect(await cond("fake")).toMatchObject({ status: "False", reason: "InvalidProviderConfig", message: "unable to create client" });
  });

  it("syncs, reverts an edit and a deletion of the Secret, and refreshes on force-sync", async () => {
    await createEs("db", { data: [{ secretKey: "password", remoteRef: { key: "db", property: "password" } }] });
    expect(await ready("db", "True")).toMatchObject({ reason: "SecretSynced", message: "secret synced" });
    expect(await secretData(client, ns, "db")).toEqual({ password: "p1-canary" });

    await client.patch(`/api/v1/namespaces/${ns}/secrets/db`, { data: { password: Buffer.from("tampered").toString("base64") } }, "merge");
    await waitFor("the edit to be reverted", async () => ((await secretData(client, ns, "db"))?.["password"] === "p1-canary" ? true : undefined), 5_000, 50);
    await client.delete(`/api/v1/namespaces/${ns}/secrets/db`);
    await waitFor("the deleted Secret to come back", async () => ((await secretData(client, ns, "db"))?.["password"] === "p1-canary" ? true : undefined), 5_000, 50);

    await baoPut("p2-canary");
    await client.patch(`${esPath()}/db`, { metadata: { annotations: { "force-sync": "1" } } }, "merge");
    await waitFor("force-sync to refresh", async () => ((await secretData(client, ns, "db"))?.["password"] === "p2-canary" ? true : undefined), 10_000, 100);
  });

  it("logs in once for many ExternalSecrets on one store", async () => {
    const before = tokens.logins;
    for (let i = 0; i < 5; i++) await createEs(`many-${i}`, { data: [{ secretKey: "u", remoteRef: { key: "db", property: "user" } }] });
    for (let i = 0; i < 5; i++) await ready(`many-${i}`, "True");
    expect(tokens.logins - before).toBe(0); // a token from tokenSecretRef: no login at all
  });

  it("keeps the last Secret while OpenBao is down, reports it, and recovers", async () => {
    await createEs("outage", { refreshInterval: "1s", data: [{ secretKey: "password", remoteRef: { key: "db", property: "password" } }] });
    await ready("outage", "True");
    const before = await secretData(client, ns, "outage");
    await bao.stop();
    expect(await ready("outage", "False")).toMatchObject({ reason: "SecretSyncedError", message: "could not get secret data from provider" });
    expect(await secretData(client, ns, "outage")).toEqual(before);
    await bao.start();
    await baoPut("p3-canary");
    await waitFor("recovery after OpenBao returns", async () => ((await secretData(client, ns, "outage"))?.["password"] === "p3-canary" ? true : undefined), 20_000, 200);
    await ready("outage", "True");
  });
});
