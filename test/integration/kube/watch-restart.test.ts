/**
 * A watch that survives an API server restart without losing an event.
 *
 * The test starts a second kube-apiserver of its own on the environment's
 * etcd (same arguments, another port), so restarting it disturbs no other
 * test. Objects are written through the environment's API server while the
 * second one is down; the watch is then resumed from the last
 * resourceVersion it saw, through the restarted server and the same client
 * (whose keep-alive connections died with the server).
 *
 * With the watch cache off, the resumed watch is served from etcd and must
 * deliver every event written during the outage, in order. With the watch
 * cache on (the default), a restarted server cannot serve a watch older than
 * its cache: it must answer 410, which the client raises as kube.expired
 * (the caller then relists): never a silent gap.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import { HttpKubeClient, kubeconfigConnection } from "../../../src/kube/index.js";
import type { WatchEvent } from "../../../src/kube/index.js";
import { freePort } from "../../env/proc.js";
import { describePeers, peerBin, peers, uniqueName } from "../../support/peers.js";
import { cleanup, taggedClient } from "./support.js";

interface Cm {
  metadata: { name: string; resourceVersion: string };
}

const ENV_ONLY = ["--secure-port=", "--cert-dir=", "--audit-"];

/** A kube-apiserver of this test's own, on the environment's etcd. */
class SecondApiServer {
  #child: ChildProcess | undefined;
  readonly #dir = mkdtempSync(join(tmpdir(), "sigil-apiserver-"));
  constructor(
    readonly port: number,
    readonly extra: readonly string[],
  ) {}

  start(): void {
    const base = peers().kube.apiserverArgs;
    if (base === undefined) throw new Error("the environment predates state.kube.apiserverArgs: restart it (npm run env -- down && npm run env -- up)");
    const args = [...base.filter((a) => !ENV_ONLY.some((p) => a.startsWith(p))), `--secure-port=${this.port}`, `--cert-dir=${join(this.#dir, "certs")}`, ...this.extra];
    const log = openSync(join(this.#dir, "apiserver.log"), "a");
    this.#child = spawn(peerBin("kube-apiserver"), args, { stdio: ["ignore", log, log] });
  }

  async ready(client: HttpKubeClient): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const res = await client.raw("GET", "/readyz").catch(() => undefined);
      if (res?.status === 200) return;
      if (Date.now() > deadline) throw new Error("the second kube-apiserver did not become ready");
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  dispose(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

describePeers("a watch across an API server restart", () => {
  const { client: admin } = taggedClient("sigil-watch-admin");
  const namespaces: string[] = [];
  const servers: SecondApiServer[] = [];

  afterAll(async () => {
    for (const s of servers) {
      await s.stop();
      s.dispose();
    }
    await cleanup(admin, namespaces.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })));
  });

  async function setup(extra: readonly string[]): Promise<{ ns: string; server: SecondApiServer; client: HttpKubeClient; cms: string }> {
    const ns = uniqueName("watch");
    namespaces.push(ns);
    await admin.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    const server = new SecondApiServer(await freePort(), extra);
    servers.push(server);
    server.start();
    const base = kubeconfigConnection(peers().kube.kubeconfig);
    if (base === undefined) throw new Error("the environment's kubeconfig needs a plugin");
    const client = new HttpKubeClient({ ...base, server: new URL(`https://127.0.0.1:${server.port}`) }, { userAgent: "sigil-watch-restart" });
    await server.ready(client);
    return { ns, server, client, cms: `/api/v1/namespaces/${ns}/configmaps` };
  }

  const cm = (name: string): unknown => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: {} });

  /** Watch from `resourceVersion` in the background, collecting `TYPE name` and the last resourceVersion. */
  function watchFrom(client: HttpKubeClient, path: string, resourceVersion: string): { seen: string[]; last: () => string; done: Promise<unknown>; stop: () => void } {
    const seen: string[] = [];
    let last = resourceVersion;
    const ac = new AbortController();
    const onEvent = (e: WatchEvent<Cm>): void => {
      last = e.object.metadata.resourceVersion;
      if (e.type !== "BOOKMARK") seen.push(`${e.type} ${e.object.metadata.name}`);
    };
    const done = client.watch<Cm>(path, { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 60 }, onEvent, ac.signal).then(
      () => "ended",
      (err: unknown) => err,
    );
    return { seen, last: () => last, done, stop: () => { ac.abort(); } };
  }

  async function until(what: string, fn: () => boolean): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!fn()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function outage(extra: readonly string[]): Promise<{ resumed: ReturnType<typeof watchFrom>; ended: unknown }> {
    const { server, client, cms } = await setup(extra);
    await admin.create(cms, cm("before"));
    const start = (await client.list<Cm>(cms)).resourceVersion;
    const first = watchFrom(client, cms, start);
    await admin.create(cms, cm("one"));
    await until("the first event", () => first.seen.includes("ADDED one"));

    await server.stop();
    const ended = await first.done;
    await admin.create(cms, cm("two"));
    await admin.create(cms, cm("three"));
    await admin.delete(`${cms}/before`);
    server.start();
    await server.ready(client);
    return { resumed: watchFrom(client, cms, first.last()), ended };
  }

  it("resumes from the last resourceVersion and delivers every event written while the server was down", async () => {
    const { resumed, ended } = await outage(["--watch-cache=false"]);
    // The broken stream ends the watch (resolved, or kube.unreachable): it does not hang.
    expect(ended === "ended" || isSigilError(ended, "kube.unreachable")).toBe(true);
    await until("the missed events", () => resumed.seen.length >= 3);
    resumed.stop();
    expect(resumed.seen).toEqual(["ADDED two", "ADDED three", "DELETED before"]);
  });

  it("with the watch cache on, a resume the restarted server cannot serve is kube.expired, not a silent gap", async () => {
    const { resumed } = await outage([]);
    const outcome = await Promise.race([resumed.done, until("the missed events", () => resumed.seen.length >= 3).then(() => "delivered")]);
    resumed.stop();
    if (outcome === "delivered") expect(resumed.seen).toEqual(["ADDED two", "ADDED three", "DELETED before"]);
    else expect(isSigilError(outcome, "kube.expired")).toBe(true);
  });
});
