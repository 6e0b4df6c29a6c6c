/**
 * The one kubeconfig reader against the real API server: merged KUBECONFIG
 * files (first file wins per name), an exec credential plugin run for real,
 * a token file re-read after rotation, and the 401/403 error codes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import { HttpKubeClient, loadKubeConfig } from "../../../src/kube/index.js";
import { certificatePlugin, pluginRuns, sequencePlugin, signClientCert } from "../../support/client-certs.js";
import { describePeers, kubeAuditMark, kubeAuditSince, peers } from "../../support/peers.js";
import { taggedClient } from "./support.js";

const V1 = "client.authentication.k8s.io/v1";

describePeers("kubeconfig reader against a real API server", () => {
  const dir = mkdtempSync(join(tmpdir(), "sigil-kubeconfig-"));
  const clients: HttpKubeClient[] = [];
  afterAll(() => {
    for (const c of clients) c.close();
  });

  function file(name: string, doc: unknown): string {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(doc), { mode: 0o600 });
    return path;
  }

  const cluster = (): { name: string; cluster: Record<string, unknown> } => ({ name: "env", cluster: { server: peers().kube.server, "certificate-authority": peers().kube.caFile } });

  async function client(env: Record<string, string>, extra: { context?: string; now?: () => number } = {}): Promise<HttpKubeClient> {
    const loaded = await loadKubeConfig({ env: { PATH: process.env["PATH"] ?? "", ...env }, homedir: dir, ...(extra.context === undefined ? {} : { context: extra.context }), ...(extra.now === undefined ? {} : { deps: { now: extra.now } }) });
    const c = new HttpKubeClient(loaded.connection, { userAgent: `sigil-kubeconfig-test-${Math.random().toString(36).slice(2)}` });
    clients.push(c);
    return c;
  }

  it("merges KUBECONFIG files (the first file's user wins) and runs an exec plugin for the token", async () => {
    const credential = JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: { token: peers().kube.adminToken } });
    const first = file("first.json", {
      clusters: [cluster()],
      users: [{ name: "me", user: { exec: { apiVersion: V1, command: "/bin/sh", args: ["-c", 'test "$(printf %s "$KUBERNETES_EXEC_INFO" | grep -c \'"interactive":false\')" = 1 && printf %s "$CRED"'], env: [{ name: "CRED", value: credential }], interactiveMode: "Never" } } }],
      contexts: [{ name: "ctx", context: { cluster: "env", user: "me" } }],
    });
    const second = file("second.json", { users: [{ name: "me", user: { token: "wrong-token" } }], contexts: [{ name: "ctx", context: { cluster: "env", user: "me" } }], "current-context": "ctx" });
    const c = await client({ KUBECONFIG: `${first}:${second}` });
    const mark = kubeAuditMark();
    expect(await c.get("/api/v1/namespaces/default")).toBeDefined();
    const mine = (await kubeAuditSince(mark, c)).filter((e) => e.name === "default" && e.resource === "namespaces");
    expect(mine.map((e) => [e.user, e.code])).toEqual([["admin", 200]]);

    // Reversed, the second file's wrong token wins: a real 401.
    const reversed = await client({ KUBECONFIG: `${second}:${first}` });
    const err: unknown = await reversed.get("/api/v1/namespaces/default").catch((e: unknown) => e);
    expect(isSigilError(err, "kube.unauthorized")).toBe(true);
  });

  it("renews an exec plugin's client certificate before it expires, and the API server sees the new one", async () => {
    const plugins = mkdtempSync(join(dir, "exec-certs-"));
    const ca = { crt: peers().kube.caFile, key: join(dirname(peers().kube.caFile), "ca.key") };
    const [a, b] = [`sigil-exec-a-${Math.random().toString(36).slice(2, 8)}`, `sigil-exec-b-${Math.random().toString(36).slice(2, 8)}`];
    const plugin = certificatePlugin(plugins, [signClientCert(ca, plugins, a), signClientCert(ca, plugins, b)], 600);
    const kubeconfig = file("exec-certs.json", {
      clusters: [cluster()],
      users: [{ name: "me", user: { exec: { apiVersion: V1, command: plugin, interactiveMode: "Never" } } }],
      contexts: [{ name: "ctx", context: { cluster: "env", user: "me" } }],
      "current-context": "ctx",
    });
    let clock = Date.now();
    const c = await client({ KUBECONFIG: kubeconfig }, { now: () => clock });
    const whoAmI = async (): Promise<string | undefined> => (await c.create<{ status?: { userInfo?: { username?: string } } }>("/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" })).status?.userInfo?.username;
    expect(await whoAmI()).toBe(a);
    expect(pluginRuns(plugins)).toBe(1);
    clock += 591_000; // 9 s before the credential's expirationTimestamp
    expect(await whoAmI()).toBe(b);
    expect(await whoAmI()).toBe(b);
    expect(pluginRuns(plugins)).toBe(2);
  });

  it("runs an exec plugin again after the API server's 401 and repeats the request once with the new credential", async () => {
    const plugins = mkdtempSync(join(dir, "exec-401-"));
    const plugin = sequencePlugin(plugins, [{ token: "revoked-token" }, { token: peers().kube.adminToken }], 3600);
    const kubeconfig = file("exec-401.json", {
      clusters: [cluster()],
      users: [{ name: "me", user: { exec: { apiVersion: V1, command: plugin, interactiveMode: "Never" } } }],
      contexts: [{ name: "ctx", context: { cluster: "env", user: "me" } }],
      "current-context": "ctx",
    });
    const c = await client({ KUBECONFIG: kubeconfig });
    const mark = kubeAuditMark();
    expect(await c.get("/api/v1/namespaces/default")).toBeDefined();
    expect(pluginRuns(plugins)).toBe(2);
    const mine = (await kubeAuditSince(mark, c)).filter((e) => e.name === "default" && e.resource === "namespaces");
    // The refused request has no user in the audit log; the repeated one is the plugin's second token.
    expect(mine.filter((e) => e.code === 200).map((e) => e.user)).toEqual(["admin"]);
  });

  it("re-reads a rotated token file, and maps the API server's 403 to kube.forbidden", async () => {
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, peers().kube.userToken);
    const path = file("token.json", { clusters: [cluster()], users: [{ name: "sa", user: { tokenFile: "token" } }], contexts: [{ name: "ctx", context: { cluster: "env", user: "sa" } }], "current-context": "ctx" });
    let now = 0;
    const c = await client({ KUBECONFIG: path }, { now: () => now });
    // The "operator" user has no RBAC grants.
    const denied: unknown = await c.get("/api/v1/namespaces/default").catch((e: unknown) => e);
    expect(isSigilError(denied, "kube.forbidden")).toBe(true);
    writeFileSync(tokenFile, peers().kube.adminToken);
    now = 61_000;
    expect(await c.get("/api/v1/namespaces/default")).toBeDefined();
  });

  it("--context picks a context other than current-context", async () => {
    const path = file("contexts.json", {
      clusters: [cluster(), { name: "nowhere", cluster: { server: "https://127.0.0.1:1" } }],
      users: [{ name: "admin", user: { token: peers().kube.adminToken } }],
      contexts: [{ name: "broken", context: { cluster: "nowhere", user: "admin" } }, { name: "good", context: { cluster: "env", user: "admin" } }],
      "current-context": "broken",
    });
    const broken = await client({ KUBECONFIG: path });
    expect(isSigilError(await broken.get("/api/v1/namespaces/default").catch((e: unknown) => e), "kube.unreachable")).toBe(true);
    expect(await (await client({ KUBECONFIG: path }, { context: "good" })).get("/api/v1/namespaces/default")).toBeDefined();
  });

  it("keeps taggedClient working (the environment's own kubeconfig)", async () => {
    expect(await taggedClient().client.get("/api/v1/namespaces/default")).toBeDefined();
  });
});
