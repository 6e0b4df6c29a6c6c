/**
 * Sigil's controller beside the real ones: the bitnami sealed-secrets
 * controller (v0.36.6) and kubeseal. The two controllers share one key
 * Secret and each unseals what the other's certificate sealed; kubeseal
 * seals with Sigil's certificate URL and runs `--validate`, `--re-encrypt`
 * and `--fetch-cert` against Sigil's endpoints. kubeseal reaches a
 * controller through the API server's service proxy, which cannot reach a
 * loopback address, so a local shim stands in for that one hop (see
 * test/support/bitnami.ts); every other request goes to the real API server.
 */
import { spawn } from "node:child_process";
import { beforeAll, expect, it } from "vitest";
import type { SealedSecretObject, SecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { generateSealingKeyPair, sealingCertificate } from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealedSecretsController } from "../../../src/operator/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { paths, putKeySecret, sealed, startBitnamiController, startServiceProxyShim, syncedCondition, testKeyPair, waitFor } from "../../support/bitnami.js";
import type { RunningBitnamiController, ServiceProxyShim } from "../../support/bitnami.js";
import { controllerHarness } from "../../support/controller.js";
import { describePeers, peerBin, peers } from "../../support/peers.js";

const KEY_LABEL = "sealedsecrets.bitnami.com/sealed-secrets-key";
const text = (s: string | undefined): string => Buffer.from(s ?? "", "base64").toString("utf8");

/** Run kubeseal with `input` on stdin (asynchronously: Sigil's endpoints and the shim run in this process). */
function kubeseal(args: readonly string[], input: string, kubeconfig = peers().kube.kubeconfig): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(peerBin("kubeseal"), [...args], { env: { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent", KUBECONFIG: kubeconfig } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  child.stdin.end(input);
  return new Promise((resolve) => {
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function secretJson(ns: string, name: string, data: Record<string, string>): string {
  return JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, stringData: data });
}

describePeers("Sealed Secrets: Sigil's controller with the real bitnami controller and kubeseal", () => {
  const h = controllerHarness();
  let client: HttpKubeClient;

  beforeAll(() => {
    client = h.client;
  });

  const namespace = (prefix: string): Promise<string> => h.namespace(prefix);

  async function sigil(keyNs: string, watch: string[], generate = false): Promise<SealedSecretsController> {
    const { controller } = await h.start(keyNs, {
      watchNamespaces: watch,
      listenAddr: "127.0.0.1:0",
      ...(generate ? { generateKeyPair: (o) => generateSealingKeyPair({ ...o, keySize: 2048 }) } : {}),
    });
    return controller;
  }

  async function bitnami(keyNs: string, watch: string[]): Promise<RunningBitnamiController> {
    const b = await startBitnamiController({ keyNamespace: keyNs, namespaces: watch });
    h.onEnd(() => b.stop());
    return b;
  }

  const urlOf = (c: SealedSecretsController): string => `http://127.0.0.1:${c.address?.port ?? 0}`;

  async function unsealedValue(ns: string, name: string, key: string): Promise<string> {
    const s = await waitFor(`Secret ${ns}/${name}`, () => client.get<SecretObject>(paths.secret(ns, name)), 30_000, 100);
    return text(s.data?.[key]);
  }

  it("adopts the key Secret the bitnami controller made, and each controller unseals what the other's certificate sealed (kubeseal --cert URL)", async () => {
    const keyNs = await namespace("kb-keys");
    const nsBitnami = await namespace("kb-b");
    const nsSigil = await namespace("kb-s");
    const b = await bitnami(keyNs, [nsBitnami]);
    const keys = await waitFor("bitnami's key Secret", async () => {
      const list = (await client.list<SecretObject>(paths.secrets(keyNs), { labelSelector: KEY_LABEL })).items;
      return list.length > 0 ? list : undefined;
    });
    const s = await sigil(keyNs, [nsSigil]);
    expect((await client.list<SecretObject>(paths.secrets(keyNs), { labelSelector: KEY_LABEL })).items.map((k) => k.metadata.resourceVersion)).toEqual(keys.map((k) => k.metadata.resourceVersion));
    const bitnamiCert = await (await fetch(`${b.url}/v1/cert.pem`)).text();
    expect(await (await fetch(`${urlOf(s)}/v1/cert.pem`)).text()).toBe(bitnamiCert);

    const forSigil = await kubeseal(["--cert", `${b.url}/v1/cert.pem`, "-o", "json"], secretJson(nsSigil, "from-bitnami-cert", { k: "sealed-by-bitnami-cert" }));
    expect(forSigil.stderr).toBe("");
    await client.create(paths.sealedList(nsSigil), JSON.parse(forSigil.stdout) as unknown);
    expect(await unsealedValue(nsSigil, "from-bitnami-cert", "k")).toBe("sealed-by-bitnami-cert");
    await syncedCondition(client, nsSigil, "from-bitnami-cert", "True");

    const forBitnami = await kubeseal(["--cert", `${urlOf(s)}/v1/cert.pem`, "-o", "json"], secretJson(nsBitnami, "from-sigil-cert", { k: "sealed-by-sigil-cert" }));
    expect(forBitnami.stderr).toBe("");
    await client.create(paths.sealedList(nsBitnami), JSON.parse(forBitnami.stdout) as unknown);
    expect(await unsealedValue(nsBitnami, "from-sigil-cert", "k")).toBe("sealed-by-sigil-cert");
    await syncedCondition(client, nsBitnami, "from-sigil-cert", "True", 30_000);
  });

  it("lets the bitnami controller adopt a key Secret Sigil made, and unseal what Sigil's sealer sealed", async () => {
    const keyNs = await namespace("kb2-keys");
    const nsBitnami = await namespace("kb2-b");
    const nsSigil = await namespace("kb2-s");
    const s = await sigil(keyNs, [nsSigil], true);
    const b = await bitnami(keyNs, [nsBitnami]);
    expect((await client.list<SecretObject>(paths.secrets(keyNs), { labelSelector: KEY_LABEL })).items).toHaveLength(1);
    const sigilCert = await (await fetch(`${urlOf(s)}/v1/cert.pem`)).text();
    expect(await (await fetch(`${b.url}/v1/cert.pem`)).text()).toBe(sigilCert);
    const publicKey = sealingCertificate(sigilCert, "sigil").publicKey;
    await client.create(paths.sealedList(nsBitnami), sealed(publicKey, nsBitnami, "sigil-sealed", { k: "opened-by-bitnami" }));
    expect(await unsealedValue(nsBitnami, "sigil-sealed", "k")).toBe("opened-by-bitnami");
    const bitnamiCert = sealingCertificate(await (await fetch(`${b.url}/v1/cert.pem`)).text(), "bitnami").publicKey;
    await client.create(paths.sealedList(nsSigil), sealed(bitnamiCert, nsSigil, "for-sigil", { k: "opened-by-sigil" }, {}, { scope: "namespace-wide" }));
    expect(await unsealedValue(nsSigil, "for-sigil", "k")).toBe("opened-by-sigil");
  });

  it("answers kubeseal --fetch-cert, --validate and --re-encrypt through the service path", async () => {
    const keyNs = await namespace("kv-keys");
    const ns = await namespace("kv");
    const pair = await testKeyPair();
    await putKeySecret(client, keyNs, pair);
    const s = await sigil(keyNs, [ns]);
    await client.create(`/api/v1/namespaces/${keyNs}/services`, { metadata: { name: "sealed-secrets-controller" }, spec: { ports: [{ name: "http", port: 8080 }] } });
    const shim: ServiceProxyShim = await startServiceProxyShim({ [`${keyNs}/sealed-secrets-controller`]: urlOf(s) });
    h.onEnd(() => shim.stop());
    const where = ["--controller-namespace", keyNs, "--controller-name", "sealed-secrets-controller"];

    const fetched = await kubeseal([...where, "--fetch-cert"], "", shim.kubeconfig);
    expect(fetched.stdout).toBe(pair.certificatePem);

    const good = JSON.stringify(sealed(pair.publicKey, ns, "valid", { k: "v" }));
    const valid = await kubeseal([...where, "--validate"], good, shim.kubeconfig);
    expect(valid).toMatchObject({ status: 0, stderr: "" });
    const stranger = await testKeyPair(2048, 1);
    const invalid = await kubeseal([...where, "--validate"], JSON.stringify(sealed(stranger.publicKey, ns, "foreign", { k: "v" })), shim.kubeconfig);
    expect(invalid.status).not.toBe(0);
    expect(invalid.stderr).toContain("unable to decrypt sealed secret: foreign");

    const original = sealed(pair.publicKey, ns, "rotated", { k: "re-encrypted-value" });
    const reenc = await kubeseal([...where, "--re-encrypt", "-o", "json"], JSON.stringify(original), shim.kubeconfig);
    expect(reenc.stderr).toBe("");
    const out = JSON.parse(reenc.stdout) as SealedSecretObject;
    expect(out.spec.encryptedData["k"]).not.toBe(original.spec.encryptedData["k"]);
    await client.create(paths.sealedList(ns), out);
    expect(await unsealedValue(ns, "rotated", "k")).toBe("re-encrypted-value");
  });

  it("rate-limits /v1/verify to 2 per second with a burst of 2 per client", async () => {
    const keyNs = await namespace("kr-keys");
    const pair = await testKeyPair();
    await putKeySecret(client, keyNs, pair);
    const s = await sigil(keyNs, [keyNs]);
    const body = JSON.stringify(sealed(pair.publicKey, keyNs, "x", { k: "v" }));
    const post = async (client: string): Promise<number> => (await fetch(`${urlOf(s)}/v1/verify`, { method: "POST", body, headers: { "X-Forwarded-For": client } })).status;
    expect([await post("a"), await post("a"), await post("a")]).toEqual([200, 200, 429]);
    expect(await post("b")).toBe(200);
    await new Promise((r) => setTimeout(r, 600));
    expect(await post("a")).toBe(200);
  });
});
