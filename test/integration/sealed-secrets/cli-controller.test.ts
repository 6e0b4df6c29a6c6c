/**
 * `sigil seal --fetch-cert / --validate / --re-encrypt` against the real
 * bitnami controller: directly (`--controller-url`) and through the service
 * proxy path (the test shim stands in for the API server's proxy, which
 * cannot reach a controller on loopback; service lookups go to the real API
 * server). (kubeseal cannot be run through the shim: client-go sends no
 * bearer token to a plain-http server, so its service lookup is anonymous.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseManifests, toSealedSecret, toSecret } from "../../../src/decrypt/sealed-secrets/index.js";
import { adminClient, createNamespace, deleteNamespace, ensureSealedSecretCrd, startBitnamiController, startServiceProxyShim } from "../../support/bitnami.js";
import type { RunningBitnamiController, ServiceProxyShim } from "../../support/bitnami.js";
import { describePeers, peers, uniqueName } from "../../support/peers.js";
import { sigil, tempDir } from "../../unit/sealed-secrets/cli-support.js";

const SECRET = (ns: string): string => `apiVersion: v1\nkind: Secret\nmetadata: {name: app, namespace: ${ns}}\nstringData: {token: controller-compat}\n`;

describePeers("sigil seal against the real bitnami controller", () => {
  const keyNs = uniqueName("sealed-keys");
  const appNs = uniqueName("sealed-app");
  let controller: RunningBitnamiController | undefined;
  let shim: ServiceProxyShim | undefined;
  let cert = "";

  beforeAll(async () => {
    peers();
    const client = adminClient();
    await ensureSealedSecretCrd(client);
    await createNamespace(keyNs, client);
    await createNamespace(appNs, client);
    const dir = tempDir();
    const made = await sigil(["keygen", "sealed", "--cert-out", join(dir, "tls.crt"), "--key-out", join(dir, "tls.key"), "--secret-out", join(dir, "key.yaml"), "-n", keyNs]);
    expect(made.code, made.stderr).toBe(0);
    cert = readFileSync(join(dir, "tls.crt"), "utf8");
    const keySecret = toSecret(parseManifests(readFileSync(join(dir, "key.yaml"), "utf8"), "key")[0], "key");
    await client.create(`/api/v1/namespaces/${keyNs}/secrets`, keySecret);
    await client.create(`/api/v1/namespaces/${keyNs}/services`, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "sealed-secrets-controller", namespace: keyNs },
      spec: { ports: [{ name: "http", port: 8080 }], selector: { app: "sealed-secrets" } },
    });
    controller = await startBitnamiController({ keyNamespace: keyNs, namespaces: [appNs] });
    shim = await startServiceProxyShim({ [`${keyNs}/sealed-secrets-controller`]: controller.url });
  }, 180_000);

  afterAll(async () => {
    await shim?.stop();
    await controller?.stop();
    await deleteNamespace(appNs);
    await deleteNamespace(keyNs);
  });

  it("fetches the controller's certificate (the key made by sigil keygen sealed), directly and through the service proxy", async () => {
    const direct = await sigil(["seal", "--fetch-cert", "--controller-url", controller?.url ?? ""]);
    expect(direct.stdout).toBe(cert);
    const proxied = await sigil(["seal", "--fetch-cert", "--controller-namespace", keyNs, "--kubeconfig", shim?.kubeconfig ?? ""]);
    expect(proxied.code, proxied.stderr).toBe(0);
    expect(proxied.stdout).toBe(cert);
  });

  it("seals with the fetched certificate and the controller validates it; a renamed copy gets 409", async () => {
    const sealed = await sigil(["seal", "--controller-namespace", keyNs, "--kubeconfig", shim?.kubeconfig ?? "", "-o", "yaml"], { stdin: SECRET(appNs) });
    expect(sealed.code, sealed.stderr).toBe(0);
    const ok = await sigil(["seal", "--validate", "--controller-url", controller?.url ?? ""], { stdin: sealed.stdout });
    expect(ok.code, ok.stderr).toBe(0);
    const renamed = sealed.stdout.replace("  name: app\n  namespace", "  name: other\n  namespace");
    const bad = await sigil(["seal", "--validate", "--controller-namespace", keyNs, "--kubeconfig", shim?.kubeconfig ?? ""], { stdin: renamed });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unable to decrypt sealed secret: other [sealed.verify_failed]");
  });

  it("re-encrypts in place through the controller's /v1/rotate, as kubeseal does", async () => {
    const file = join(tempDir(), "app.yaml");
    const sealed = await sigil(["seal", "--cert", `${controller?.url ?? ""}/v1/cert.pem`, "-w", file], { stdin: SECRET(appNs) });
    expect(sealed.code, sealed.stderr).toBe(0);
    const before = toSealedSecret(parseManifests(readFileSync(file, "utf8"), "f")[0], "f");
    const r = await sigil(["seal", "--re-encrypt", "--controller-namespace", keyNs, "--kubeconfig", shim?.kubeconfig ?? "", "-f", file]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text.startsWith("---\n")).toBe(true);
    const after = toSealedSecret(parseManifests(text, "f")[0], "f");
    expect(after.spec.encryptedData["token"]).toMatch(/^Ag/);
    expect(after.spec.encryptedData["token"]).not.toBe(before.spec.encryptedData["token"]);
    expect(after.metadata.creationTimestamp).toBeUndefined();
    const valid = await sigil(["seal", "--validate", "--controller-url", controller?.url ?? "", "-f", file]);
    expect(valid.code, valid.stderr).toBe(0);
  });
});
