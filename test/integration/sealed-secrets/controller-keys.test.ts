/**
 * Sigil's controller keys against the real API server and OpenBao: the
 * bitnami key Secret shape, adoption, all keys tried / newest seals, cutoff,
 * renewal, private keys wrapped by a Vault transit key (and what happens when
 * that provider is unreachable at start), migration of a plain key, and the
 * `sigil operator` command run in-process.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { beforeAll, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { runCli } from "../../../src/cli/index.js";
import { buildProviderRegistry } from "../../../src/providers/index.js";
import { createOperatorCommand, manualSignals } from "../../../src/cli/commands/operator/index.js";
import { buildKeySecret, generateSealingKeyPair, parseWrapRef, wrapKeySecret } from "../../../src/decrypt/sealed-secrets/index.js";
import type { SecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { SealedSecretsController } from "../../../src/operator/index.js";
import type { SealedSecretsControllerOptions } from "../../../src/operator/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import type { ProviderRegistry } from "../../../src/providers/index.js";
import { captureLogs, paths, putKeySecret, sealed, syncedCondition, testKeyPair, waitFor } from "../../support/bitnami.js";
import type { TestKeyPair } from "../../support/bitnami.js";
import { controllerHarness } from "../../support/controller.js";
import { describePeers, peers } from "../../support/peers.js";

const KEY_LABEL = "sealedsecrets.bitnami.com/sealed-secrets-key";
const text = (s: string | undefined): string => Buffer.from(s ?? "", "base64").toString("utf8");
const small = (o: Parameters<typeof generateSealingKeyPair>[0]): ReturnType<typeof generateSealingKeyPair> => generateSealingKeyPair({ ...o, keySize: 2048 });

/** A TCP forwarder to OpenBao, so a test can make the provider unreachable by closing it. */
async function vaultProxy(): Promise<{ address: string; close: () => Promise<void> }> {
  const target = new URL(peers().vault.addr);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop);
    upstream.on("error", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => { resolve(); }));
  const port = (server.address() as AddressInfo).port;
  return {
    address: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}

describePeers("Sealed Secrets controller (Sigil): sealing keys", () => {
  const h = controllerHarness();
  let client: HttpKubeClient;
  let pair: TestKeyPair;
  let providers: ProviderRegistry;

  beforeAll(async () => {
    client = h.client;
    pair = await testKeyPair();
    providers = buildProviderRegistry({ VAULT_TOKEN: peers().vault.token, HOME: "/nonexistent" });
  });

  const namespace = (): Promise<string> => h.namespace("sskey");

  /** A controller for `ns` that serves its endpoints on a free loopback port unless `options` say otherwise. */
  async function start(ns: string, options: Partial<SealedSecretsControllerOptions> = {}): Promise<SealedSecretsController> {
    return (await h.start(ns, { listenAddr: "127.0.0.1:0", ...options })).controller;
  }

  async function keySecrets(ns: string): Promise<SecretObject[]> {
    return (await client.list<SecretObject>(paths.secrets(ns), { labelSelector: KEY_LABEL })).items;
  }

  async function certOf(c: SealedSecretsController): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${c.address?.port ?? 0}/v1/cert.pem`);
    expect(res.headers.get("content-type")).toBe("application/x-pem-file");
    return res.text();
  }

  it("generates a bitnami-shaped RSA-4096 key Secret when the namespace has none, and serves its certificate", async () => {
    const ns = await namespace();
    const c = await start(ns);
    const [secret, ...others] = await keySecrets(ns);
    expect(others).toEqual([]);
    expect(secret?.type).toBe("kubernetes.io/tls");
    expect(secret?.metadata.labels?.[KEY_LABEL]).toBe("active");
    expect(secret?.metadata.generateName).toBe("sealed-secrets-key");
    expect(secret?.metadata.name).toMatch(/^sealed-secrets-key[a-z0-9]{5}$/);
    const keyPem = text(secret?.data?.["tls.key"]);
    expect(keyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(createPrivateKey(keyPem).asymmetricKeyDetails?.modulusLength).toBe(4096);
    const cert = new X509Certificate(text(secret?.data?.["tls.crt"]));
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(10);
    expect(await certOf(c)).toBe(text(secret?.data?.["tls.crt"]));
  });

  it("adopts an existing key Secret as-is and generates no new key", async () => {
    const ns = await namespace();
    const before = await putKeySecret(client, ns, pair);
    const c = await start(ns);
    const after = await keySecrets(ns);
    expect(after.map((s) => s.metadata.resourceVersion)).toEqual([before.metadata.resourceVersion]);
    expect(await certOf(c)).toBe(pair.certificatePem);
  });

  it("tries every key when unsealing and seals with the newest", async () => {
    const ns = await namespace();
    const old = await small({ now: () => new Date(Date.now() - 86_400_000) });
    await client.create(paths.secrets(ns), buildKeySecret({ privateKeyPem: old.privateKeyPem, certificatePem: old.certificate.pem }, { namespace: ns }));
    await putKeySecret(client, ns, pair);
    const c = await start(ns);
    expect(await certOf(c)).toBe(pair.certificatePem);
    await client.create(paths.sealedList(ns), sealed(old.certificate.publicKey, ns, "by-old", { k: "old-key-value" }));
    await client.create(paths.sealedList(ns), sealed(pair.publicKey, ns, "by-new", { k: "new-key-value" }));
    await syncedCondition(client, ns, "by-old", "True");
    await syncedCondition(client, ns, "by-new", "True");
    expect(text((await client.get<SecretObject>(paths.secret(ns, "by-old")))?.data?.["k"])).toBe("old-key-value");
  });

  it("makes a new key at start when the newest is older than the key cutoff time", async () => {
    const ns = await namespace();
    const old = await small({ now: () => new Date(Date.now() - 86_400_000) });
    await client.create(paths.secrets(ns), buildKeySecret({ privateKeyPem: old.privateKeyPem, certificatePem: old.certificate.pem }, { namespace: ns }));
    const c = await start(ns, { keyCutoffTime: new Date(Date.now() - 3_600_000), generateKeyPair: small });
    expect(await keySecrets(ns)).toHaveLength(2);
    expect(await certOf(c)).not.toBe(old.certificate.pem);
    const c2 = await start(ns, { keyCutoffTime: new Date(Date.now() - 3_600_000), generateKeyPair: small, listenAddr: undefined });
    expect(c2.keys.ring.size).toBe(2);
    expect(await keySecrets(ns)).toHaveLength(2);
  });

  it("renews the key on the configured period, and keeps the old keys", async () => {
    const ns = await namespace();
    await putKeySecret(client, ns, pair);
    const c = await start(ns, { keyRenewPeriodMs: 1500, generateKeyPair: small });
    expect(c.keys.ring.size).toBe(1);
    await waitFor("a renewed key", async () => ((await keySecrets(ns)).length >= 2 ? true : undefined), 15_000, 100);
    expect(c.keys.ring.size).toBeGreaterThanOrEqual(2);
    expect(await certOf(c)).not.toBe(pair.certificatePem);
  });

  it("stores new private keys wrapped by a Vault transit key, never in the clear, and unwraps them after a restart", async () => {
    const ns = await namespace();
    const env = peers();
    const ref = parseWrapRef(`${env.vault.addr}/v1/${env.vault.transitMount}/keys/${env.vault.transitKey}`);
    const c = await start(ns, { wrapPrivateKeysWith: ref, providers, generateKeyPair: small });
    const [secret] = await keySecrets(ns);
    expect(secret?.metadata.labels?.[KEY_LABEL]).toBe("wrapped");
    expect(secret?.data?.["tls.key"]).toBe("");
    expect(text(secret?.data?.["tls.key.wrapped"])).toMatch(/^vault:v\d+:/);
    expect(JSON.stringify(secret)).not.toMatch(/PRIVATE KEY|UFJJVkFURSBLRV/);
    const cert = await certOf(c);
    await c.stop();
    const restarted = await start(ns, { providers });
    expect(await certOf(restarted)).toBe(cert);
    const { X509Certificate: X509 } = await import("node:crypto");
    await client.create(paths.sealedList(ns), sealed(new X509(cert).publicKey, ns, "wrapped-app", { k: "via-wrapped-key" }));
    await syncedCondition(client, ns, "wrapped-app", "True");
    expect(await keySecrets(ns)).toHaveLength(1);
  });

  it("refuses to start when the provider wrapping a key is unreachable, says so, and generates no replacement key", async () => {
    const ns = await namespace();
    const env = peers();
    const proxy = await vaultProxy();
    const ref = parseWrapRef(`${proxy.address}/v1/${env.vault.transitMount}/keys/${env.vault.transitKey}`);
    const plain = buildKeySecret(pair, { namespace: ns });
    const stored = await client.create<SecretObject>(paths.secrets(ns), await wrapKeySecret(plain, ref, providers));
    await proxy.close();
    const { lines, logger } = captureLogs();
    const started = SealedSecretsController.start(client, { keyNamespace: ns, watchNamespaces: [ns], listenAddr: undefined, providers, logger, generateKeyPair: small });
    await expect(started).rejects.toMatchObject({ code: "provider.unreachable", subject: `Secret/${ns}/${stored.metadata.name ?? ""}` });
    const err = await started.then(
      () => new Error("started"),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/does not generate a replacement key/);
    expect(await keySecrets(ns)).toHaveLength(1);
    expect(lines.join("\n")).not.toContain("new sealing key written");

    // The same through the command: exit code 128 (as sops for unreachable keys) and a clear message.
    const err2: string[] = [];
    const ctx = { stdin: new PassThrough(), stdout: { write: () => true }, stderr: { write: (s: string | Uint8Array) => err2.push(String(s)) }, env: { VAULT_TOKEN: env.vault.token, HOME: "/nonexistent" }, cwd: process.cwd(), logger: new Logger({ sink: () => undefined }) };
    const code = await runCli(["operator", "--kubeconfig", env.kube.kubeconfig, "-n", ns, "--all-namespaces=false", "--listen-addr", "", "--key-size", "2048"], ctx, [createOperatorCommand({ signals: manualSignals })]);
    expect(code).toBe(128);
    const stderr = err2.join("");
    expect(stderr).toMatch(new RegExp(`sigil: Secret/${ns}/${stored.metadata.name ?? ""}: cannot load this sealing key.*\\[provider\\.unreachable\\]`));
    expect(stderr).toMatch(/could not be reached \(ECONNREFUSED\)/);
    expect(await keySecrets(ns)).toHaveLength(1);
  });

  it("wraps an existing plain key in place (--wrap-existing-keys) and keeps unsealing with it", async () => {
    const ns = await namespace();
    const env = peers();
    const before = await putKeySecret(client, ns, pair);
    await client.create(paths.sealedList(ns), sealed(pair.publicKey, ns, "migrated", { k: "still-opens" }));
    const ref = parseWrapRef(`${env.vault.addr}/v1/${env.vault.transitMount}/keys/${env.vault.transitKey}`);
    const c = await start(ns, { wrapPrivateKeysWith: ref, wrapExistingKeys: true, providers });
    const [after, ...others] = await keySecrets(ns);
    expect(others).toEqual([]);
    expect(after?.metadata.name).toBe(before.metadata.name);
    expect(after?.metadata.labels?.[KEY_LABEL]).toBe("wrapped");
    expect(after?.data?.["tls.key"]).toBe("");
    expect(after?.data?.["tls.crt"]).toBe(before.data?.["tls.crt"]);
    expect(await certOf(c)).toBe(pair.certificatePem);
    await syncedCondition(client, ns, "migrated", "True");
  });

  it("runs as `sigil operator` in-process: serves its endpoints, makes a new key on request, and stops cleanly", async () => {
    const ns = await namespace();
    await putKeySecret(client, ns, pair);
    const env = peers();
    const signals = manualSignals();
    let controller: SealedSecretsController | undefined;
    const err: string[] = [];
    const ctx = { stdin: new PassThrough(), stdout: { write: () => true }, stderr: { write: (s: string | Uint8Array) => err.push(String(s)) }, env: { HOME: "/nonexistent" }, cwd: process.cwd(), logger: new Logger({ sink: () => undefined }) };
    const command = createOperatorCommand({ signals: () => signals, onStarted: (m) => (controller = m.controllers.find((c): c is SealedSecretsController => c instanceof SealedSecretsController)) });
    const exit = runCli(["operator", "--kubeconfig", env.kube.kubeconfig, "-n", ns, "--all-namespaces=false", "--listen-addr", "127.0.0.1:0", "--key-renew-period", "0", "--key-size", "2048"], ctx, [command]);
    const c = await waitFor("the operator to start", () => controller);
    expect(await certOf(c)).toBe(pair.certificatePem);
    const health = await fetch(`http://127.0.0.1:${c.address?.port ?? 0}/healthz`);
    expect(await health.text()).toBe("ok\n");
    signals.rotate();
    await waitFor("a new key", async () => ((await keySecrets(ns)).length === 2 ? true : undefined), 30_000, 100);
    signals.stop("test");
    expect(await exit).toBe(0);
    expect(err.join("")).toMatch(/"msg":"new sealing key written"/);
  });
});
