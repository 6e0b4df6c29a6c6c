/**
 * The shared harness of the Sealed Secrets controller tests: one admin
 * client for the test file (the CRD installed), namespaces deleted after
 * the file, and controllers stopped when the test (or, for one started in
 * `beforeAll`, the file) that started them ends.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { SealedSecretsController } from "../../src/operator/index.js";
import type { SealedSecretsControllerOptions } from "../../src/operator/index.js";
import type { HttpKubeClient } from "../../src/kube/index.js";
import { adminClient, captureLogs, createNamespace, deleteNamespace, ensureSealedSecretCrd, putKeySecret } from "./bitnami.js";
import type { TestKeyPair } from "./bitnami.js";
import { uniqueName } from "./peers.js";

/** What {@link controllerHarness} gives a test file. */
export interface ControllerHarness {
  /** The admin client (set once the harness's `beforeAll` has run). */
  readonly client: HttpKubeClient;
  /** A fresh namespace, deleted after the file; with `key`, holding a plain key Secret for it. */
  namespace(prefix: string, key?: TestKeyPair): Promise<string>;
  /**
   * Start Sigil's controller with its keys in `ns`, watching only `ns`, no
   * listener, no renewal and a captured logger unless `options` say
   * otherwise. Returns the controller and its log lines.
   */
  start(ns: string, options?: Partial<SealedSecretsControllerOptions>): Promise<{ controller: SealedSecretsController; logs: string[] }>;
  /** Run `stop` when the current test ends (or the file, when called from `beforeAll`); last added runs first. */
  onEnd(stop: () => Promise<void>): void;
}

/** Register the hooks of a controller test file (call it inside the `describe` body). */
export function controllerHarness(): ControllerHarness {
  let client: HttpKubeClient | undefined;
  let inTest = false;
  const perTest: (() => Promise<void>)[] = [];
  const perFile: (() => Promise<void>)[] = [];
  const namespaces: string[] = [];
  const stopAll = async (stops: (() => Promise<void>)[]): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };

  beforeAll(async () => {
    client = adminClient();
    await ensureSealedSecretCrd(client);
  });
  beforeEach(() => {
    inTest = true;
  });
  afterEach(async () => {
    inTest = false;
    await stopAll(perTest);
  });
  afterAll(async () => {
    await stopAll(perFile);
    if (client === undefined) return;
    const c = client;
    await Promise.all(namespaces.map((ns) => deleteNamespace(ns, c)));
    c.close();
  });

  const harness: ControllerHarness = {
    get client(): HttpKubeClient {
      if (client === undefined) throw new Error("the controller harness is used before its beforeAll ran");
      return client;
    },
    async namespace(prefix, key) {
      const ns = uniqueName(prefix);
      namespaces.push(ns);
      await createNamespace(ns, harness.client);
      if (key !== undefined) await putKeySecret(harness.client, ns, key);
      return ns;
    },
    async start(ns, options = {}) {
      const { lines, logger } = captureLogs();
      const controller = await SealedSecretsController.start(harness.client, { keyNamespace: ns, watchNamespaces: [ns], listenAddr: undefined, keyRenewPeriodMs: 0, logger, ...options });
      harness.onEnd(() => controller.stop());
      return { controller, logs: lines };
    },
    onEnd(stop) {
      (inTest ? perTest : perFile).push(stop);
    },
  };
  return harness;
}
