// The reconciler over an in-memory client (the real-API-server suites of the same paths are
// test/integration/sealed-secrets/controller*.test.ts): what it fetches, now that the cache
// keeps SealedSecrets without their ciphertexts.
import { beforeAll, describe, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { KeyRing, UnsealCache, generateSealingKeyPair, sealSecret, sealingKeyFromPrivateKey } from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealedSecretObject, SecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { EventRecorder } from "../../../src/kube/runtime/index.js";
import { FakeKubeClient } from "../../../src/kube/testing/index.js";
import { SealingMacKeys } from "../../../src/operator/sealed-secrets/fingerprint.js";
import { SealedSecretReconciler } from "../../../src/operator/sealed-secrets/reconcile.js";
import { SEALED_SECRET_TRANSFORM } from "../../../src/operator/sealed-secrets/watch.js";

const SS_PATH = "/apis/bitnami.com/v1alpha1/namespaces/ns/sealedsecrets";
const SECRET = "/api/v1/namespaces/ns/secrets/app";

let ring: KeyRing;
let sealed: SealedSecretObject;

beforeAll(async () => {
  const pair = await generateSealingKeyPair({ keySize: 2048 });
  ring = new KeyRing([sealingKeyFromPrivateKey(pair.privateKey, "k", pair.certificate)]);
  sealed = sealSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "app", namespace: "ns" }, stringData: { password: "pw-of-app" } }, pair.certificate.publicKey);
});

async function setUp(): Promise<{ client: FakeKubeClient; reconciler: SealedSecretReconciler; stored: unknown }> {
  const client = new FakeKubeClient();
  const stored = await client.create(SS_PATH, structuredClone(sealed));
  const reconciler = new SealedSecretReconciler({
    client,
    ring,
    cache: new UnsealCache(),
    macKeys: new SealingMacKeys(),
    events: new EventRecorder(client, "test"),
    logger: new Logger({ level: "error" }),
    clock: () => new Date(),
    updateStatus: true,
    acceptDeprecatedV1Data: true,
    written: () => undefined,
  });
  return { client, reconciler, stored };
}

describe("SealedSecretReconciler with a cached head", () => {
  it("fetches the SealedSecret only to unseal: not when its Secret is current", async () => {
    const { client, reconciler, stored } = await setUp();
    const head = SEALED_SECRET_TRANSFORM.apply(structuredClone(stored));
    let loads = 0;
    const load = (): Promise<unknown> => {
      loads++;
      return client.get(`${SS_PATH}/app`);
    };
    expect((await reconciler.reconcile(head, load)).result).toBe("created");
    expect(loads).toBe(1);
    expect(Buffer.from((await client.get<SecretObject>(SECRET))?.data?.["password"] ?? "", "base64").toString()).toBe("pw-of-app");
    const operations = ring.privateKeyOperations;
    expect((await reconciler.reconcile(head, load)).result).toBe("unchanged");
    expect(loads).toBe(1);
    expect(ring.privateKeyOperations).toBe(operations);
  });

  it("writes nothing when the SealedSecret was deleted or replaced since it was cached (its watch event follows)", async () => {
    const { client, reconciler, stored } = await setUp();
    const head = SEALED_SECRET_TRANSFORM.apply(structuredClone(stored));
    const gone = await reconciler.reconcile(head, () => Promise.resolve(undefined));
    const replaced = await reconciler.reconcile(head, () => Promise.resolve({ ...structuredClone(sealed), metadata: { name: "app", namespace: "ns", uid: "another" } }));
    expect([gone, replaced].map((o) => [o.result, o.retry])).toEqual([
      ["unchanged", false],
      ["unchanged", false],
    ]);
    expect(await client.get(SECRET)).toBeUndefined();
  });
});
