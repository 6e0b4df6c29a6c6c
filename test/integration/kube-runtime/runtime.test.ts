/**
 * The controller runtime against the real API server: informers shared by
 * two controllers, a watch that resumes after its connection is cut, and
 * graceful shutdown (in-process and `sigil operator` on SIGTERM).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { HttpKubeClient, SECRETS, resourcePath } from "../../../src/kube/index.js";
import type { SecretObject } from "../../../src/kube/index.js";
import { Manager, ReconcileLoop, SECRET_METADATA } from "../../../src/kube/runtime/index.js";
import type { WorkResult } from "../../../src/kube/runtime/index.js";
import { adminClient, createNamespace, deleteNamespace, kubeConnection, waitFor } from "../../support/bitnami.js";
import { CountingClient, cuttableProxy } from "../../support/kube-proxy.js";
import { peers, uniqueName } from "../../support/peers.js";

const quiet = new Logger({ sink: () => undefined });
const secret = (name: string): SecretObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name }, data: { v: "eA==" } });

/** A loop over the Secrets of `ns` that records the keys it reconciled. */
function recorder(name: string, ns: string, seen: string[], work: () => Promise<WorkResult> = () => Promise.resolve({})): ReconcileLoop<SecretObject> {
  return new ReconcileLoop<SecretObject>({
    name,
    primary: { resource: SECRETS, namespaces: [ns], transform: SECRET_METADATA },
    reconcile: async (key, object) => {
      seen.push(`${key}${object === undefined ? " (gone)" : ""}`);
      return work();
    },
  });
}

describe("controller runtime against a real API server", () => {
  let admin: HttpKubeClient;
  const namespaces: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  async function namespace(): Promise<string> {
    const ns = uniqueName("rt");
    namespaces.push(ns);
    await createNamespace(ns, admin);
    return ns;
  }

  beforeAll(() => {
    admin = adminClient();
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await Promise.all(namespaces.map((ns) => deleteNamespace(ns, admin)));
    admin.close();
  });

  it("runs two controllers on one informer: one list and one watch serve both, and both see every Secret", async () => {
    const ns = await namespace();
    await admin.create(resourcePath(SECRETS, { namespace: ns }), secret("before"));
    const http = new HttpKubeClient(kubeConnection());
    const client = new CountingClient(http);
    const first: string[] = [];
    const second: string[] = [];
    const manager = new Manager(client, { logger: quiet }).add(recorder("first", ns, first)).add(recorder("second", ns, second));
    cleanups.push(async () => {
      await manager.stop();
      http.close();
    });
    await manager.start();
    await manager.idle();
    await admin.create(resourcePath(SECRETS, { namespace: ns }), secret("after"));
    await waitFor("both controllers to see the new Secret", () => (first.includes(`${ns}/after`) && second.includes(`${ns}/after`) ? true : undefined));
    expect(first.filter((k) => k.startsWith(`${ns}/`)).sort()).toEqual([`${ns}/after`, `${ns}/before`]);
    expect(second.filter((k) => k.startsWith(`${ns}/`)).sort()).toEqual([`${ns}/after`, `${ns}/before`]);
    expect(client.counts.list).toBe(1);
    expect(client.counts.watch).toBe(1);
  });

  it("resumes a watch whose connection was cut from its last resourceVersion: no relist, no event lost", async () => {
    const ns = await namespace();
    const proxy = await cuttableProxy(kubeConnection());
    const http = new HttpKubeClient(proxy.connection);
    const client = new CountingClient(http);
    const seen: string[] = [];
    const manager = new Manager(client, { logger: quiet, informers: { minBackoffMs: 100, maxBackoffMs: 200 } }).add(recorder("resume", ns, seen));
    cleanups.push(async () => {
      await manager.stop();
      http.close();
      await proxy.close();
    });
    await manager.start();
    await manager.idle();
    await waitFor("the watch to open", () => (client.openWatches === 1 ? true : undefined));
    proxy.cut();
    await admin.create(resourcePath(SECRETS, { namespace: ns }), secret("made-while-cut"));
    await admin.delete(resourcePath(SECRETS, { namespace: ns, name: "made-while-cut" }));
    await admin.create(resourcePath(SECRETS, { namespace: ns }), secret("kept"));
    await waitFor("the events made while the watch was cut", () => (seen.includes(`${ns}/kept`) && seen.includes(`${ns}/made-while-cut (gone)`) ? true : undefined));
    expect(seen).toContain(`${ns}/made-while-cut`);
    expect(client.counts.list).toBe(1);
    expect(client.counts.watch).toBeGreaterThanOrEqual(2);
  });

  it("stops gracefully: in-flight work finishes and writes, later changes are not taken, the watch closes", async () => {
    const ns = await namespace();
    await admin.create(resourcePath(SECRETS, { namespace: ns }), secret("slow"));
    const http = new HttpKubeClient(kubeConnection());
    const client = new CountingClient(http);
    let release: () => void = () => undefined;
    const seen: string[] = [];
    const loop = recorder("graceful", ns, seen, async () => {
      await new Promise<void>((r) => (release = r));
      await admin.patch(resourcePath(SECRETS, { namespace: ns, name: "slow" }), { metadata: { annotations: { finished: "yes" } } }, "merge");
      return {};
    });
    const manager = new Manager(client, { logger: quiet, shutdownTimeoutMs: 30_000 }).add(loop);
    await manager.start();
    await waitFor("the slow reconcile to start", () => (seen.length === 1 ? true : undefined));
    let done = false;
    const stopped = manager.stop().then(() => {
      done = true;
    });
    await admin.create(resourcePath(SECRETS, { namespace: ns }), secret("too-late"));
    await new Promise((r) => setTimeout(r, 300));
    expect(done, "stop() waits for the reconcile in flight").toBe(false);
    release();
    await stopped;
    http.close();
    const slow = await admin.get<SecretObject>(resourcePath(SECRETS, { namespace: ns, name: "slow" }));
    expect(slow?.metadata.annotations?.["finished"]).toBe("yes");
    expect(seen).toEqual([`${ns}/slow`]);
    expect(client.openWatches).toBe(0);
  });

  it("`sigil operator` exits 0 on SIGTERM after stopping its controllers", async () => {
    const ns = await namespace();
    const main = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
    const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent", NODE_OPTIONS: "--max-semi-space-size=2" };
    const args = ["--import", "tsx", main, "operator", "--kubeconfig", peers().kube.kubeconfig, "-n", ns, "--all-namespaces=false", "--listen-addr", "", "--key-size", "2048", "--key-renew-period", "0", "--health-addr", "127.0.0.1:0"];
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await waitFor("the operator to start its controllers", () => (stderr.includes('"msg":"controllers started"') ? true : undefined), 90_000, 100);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toContain('"msg":"stopping","reason":"SIGTERM"');
    expect(stderr).toContain('"msg":"controllers stopped"');
  });
});
