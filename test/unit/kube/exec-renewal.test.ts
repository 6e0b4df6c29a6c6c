/**
 * Exec plugins that hand out client certificates: the HTTP client runs the
 * plugin again when the credential nears its expirationTimestamp or the
 * server answers 401, and presents the new certificate on new connections
 * (as client-go does). A real plugin script (test/support/client-certs.ts)
 * and a local HTTPS server that requires client certificates and answers
 * with the one it was shown; the clock is injected. The same path against
 * the real API server: test/integration/kube/kubeconfig.test.ts.
 */
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import { HttpKubeClient, loadKubeConfig } from "../../../src/kube/index.js";
import { certificatePlugin, makeTestCa, pluginRuns, signClientCert } from "../../support/client-certs.js";
import type { TestClientCert } from "../../support/client-certs.js";

describe("exec plugins with client certificates", () => {
  const root = mkdtempSync(join(tmpdir(), "sigil-exec-renewal-"));
  const ca = makeTestCa(root);
  const certs: TestClientCert[] = ["user-a", "user-b", "user-c"].map((cn) => signClientCert(ca, root, cn));
  /** Users the server answers 401 (as an API server does for a certificate it no longer accepts). */
  const refused = new Set<string>();
  let server: Server;
  let url = "";

  beforeAll(async () => {
    server = createServer({ cert: readFileSync(ca.serverCrt), key: readFileSync(ca.serverKey), ca: readFileSync(ca.crt), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const user = String((req.socket as TLSSocket).getPeerCertificate().subject.CN);
      res.writeHead(refused.has(user) ? 401 : 200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(refused.has(user) ? { kind: "Status", code: 401, reason: "Unauthorized", message: "Unauthorized" } : { user }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  let clock = Date.now();
  async function clientWith(ttlSeconds: number): Promise<{ client: HttpKubeClient; dir: string }> {
    const dir = mkdtempSync(join(root, "plugin-"));
    const plugin = certificatePlugin(dir, certs, ttlSeconds);
    const kubeconfig = join(dir, "kubeconfig.json");
    writeFileSync(kubeconfig, JSON.stringify({
      clusters: [{ name: "c", cluster: { server: url, "certificate-authority": ca.crt } }],
      users: [{ name: "u", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin, interactiveMode: "Never" } } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }));
    const loaded = await loadKubeConfig({ env: { PATH: process.env["PATH"] ?? "", KUBECONFIG: kubeconfig }, homedir: dir, deps: { now: () => clock } });
    return { client: new HttpKubeClient(loaded.connection), dir };
  }
  const who = async (c: HttpKubeClient): Promise<string | undefined> => (await c.get<{ user: string }>("/who"))?.user;

  it("runs the plugin again within 10 s of the credential's expiry and connects with the new certificate", async () => {
    clock = Date.now();
    // The plugin dates its credentials by the real clock; the client's clock is moved ahead.
    const { client, dir } = await clientWith(600);
    try {
      expect(await who(client)).toBe("user-a");
      clock += 300_000;
      expect(await who(client)).toBe("user-a");
      expect(pluginRuns(dir)).toBe(1);
      clock += 291_000; // 9 s before the expiry
      expect(await who(client)).toBe("user-b");
      expect(await who(client)).toBe("user-b");
      expect(pluginRuns(dir)).toBe(2);
    } finally {
      client.close();
    }
  });

  it("after a 401, runs the plugin again and sends the request once more with the new certificate", async () => {
    clock = Date.now();
    const { client, dir } = await clientWith(3600);
    try {
      expect(await who(client)).toBe("user-a");
      refused.add("user-a");
      expect(await who(client)).toBe("user-b");
      expect(pluginRuns(dir)).toBe(2);

      // A certificate the server refuses again: one more run, then kube.unauthorized (no loop).
      refused.add("user-b");
      refused.add("user-c");
      const err: unknown = await who(client).catch((e: unknown) => e);
      expect(isSigilError(err, "kube.unauthorized")).toBe(true);
      expect(pluginRuns(dir)).toBe(3);
    } finally {
      client.close();
      refused.clear();
    }
  });

  it("keeps the certificate while the credential is valid, however many requests run at once", async () => {
    clock = Date.now();
    const { client, dir } = await clientWith(3600);
    try {
      const users = await Promise.all(Array.from({ length: 20 }, () => who(client)));
      expect(new Set(users)).toEqual(new Set(["user-a"]));
      clock += 3595_000;
      const renewed = await Promise.all(Array.from({ length: 20 }, () => who(client)));
      expect(new Set(renewed)).toEqual(new Set(["user-b"]));
      expect(pluginRuns(dir)).toBe(2);
    } finally {
      client.close();
    }
  });
});
