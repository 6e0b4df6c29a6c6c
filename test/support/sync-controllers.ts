/**
 * The `gitsources` and `syncs` controllers in the test process, on a client
 * of their own with a unique user agent, so their requests can be told
 * apart in the API server's audit log; and a Sync over a test repository.
 */
import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/core/index.js";
import { HttpKubeClient } from "../../src/kube/index.js";
import type { KubeClient } from "../../src/kube/index.js";
import { Manager } from "../../src/kube/runtime/index.js";
import type { Controller } from "../../src/kube/runtime/index.js";
import { ArtifactStore, SyncController, gitSourceController } from "../../src/operator/gitops/index.js";
import { ProviderRegistry, buildProviderRegistryFromSecret } from "../../src/providers/index.js";
import { kubeConnection, waitFor } from "./bitnami.js";
import { applyCrdFiles, crdFile } from "./crds.js";
import type { TestRepo } from "./git.js";
import { peerBin, uniqueName } from "./peers.js";
import { AGE_KEY_FILE } from "./reconcile.js";

export const GITOPS = "/apis/gitops.sigil.dev/v1alpha1";
const CRDS = ["gitops.sigil.dev_gitsources.yaml", "gitops.sigil.dev_syncs.yaml"].map(crdFile);

export interface RunningControllers {
  /** The user agent of every request the controllers send. */
  readonly userAgent: string;
  readonly logs: string[];
  /** Resolves once every controller is idle (the manager's idle()). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** What else {@link startSyncControllers} installs and runs. */
export interface SyncControllersOptions {
  /** More CRD files to install (e.g. the Receiver's). */
  readonly crds?: readonly string[];
  /** More controllers on the same manager, client and logger (e.g. the webhook receivers). */
  readonly extra?: (deps: { client: KubeClient; logger: Logger }) => readonly Controller[];
}

/** Install the CRDs (through `harness`) and start both controllers (and `options.extra`) on their own client. */
export async function startSyncControllers(harness: KubeClient, options: SyncControllersOptions = {}): Promise<RunningControllers> {
  await applyCrdFiles(harness, [...CRDS, ...(options.crds ?? [])]);
  const userAgent = uniqueName("sigil-ctrl-test");
  const client = new HttpKubeClient(kubeConnection(), { userAgent });
  const cache = mkdtempSync(join(tmpdir(), "sigil-ctrl-cache-"));
  const logs: string[] = [];
  const logger = new Logger({ level: "debug", sink: (l) => logs.push(l) });
  const store = new ArtifactStore();
  const manager = new Manager(client, { logger });
  manager.add(gitSourceController({ client, store, source: { cacheDir: cache }, logger, now: () => new Date() }));
  manager.add(new SyncController({ client, store, logger, now: () => new Date(), kustomizeBin: peerBin("kustomize"), sealingKeyNamespace: "kube-system", providersFor: (secret) => (secret === undefined ? new ProviderRegistry() : buildProviderRegistryFromSecret(secret)) }));
  for (const c of options.extra?.({ client, logger }) ?? []) manager.add(c);
  await manager.start();
  return {
    userAgent,
    logs,
    idle: () => manager.idle(),
    stop: async () => {
      await manager.stop();
      rmSync(cache, { recursive: true, force: true });
      client.close();
    },
  };
}

/** A Sync as the tests read it. */
export interface SyncObject {
  metadata: { finalizers?: string[]; deletionTimestamp?: string };
  spec: Record<string, unknown>;
  status?: { conditions?: { type: string; status: string; reason: string; message?: string }[]; lastHandledReconcileAt?: string; inventory?: { entries: { id: string }[] } };
}

export const syncPath = (n: string, name = "app"): string => `${GITOPS}/namespaces/${n}/syncs/${name}`;

/** A decryption Secret, a GitSource `repo` over `repo` and a Sync `app` of `path` with `spec`; waits until it is Ready. */
export async function createSync(client: KubeClient, n: string, repo: TestRepo, spec: Record<string, unknown>, path = "app"): Promise<SyncObject> {
  await client.create(`/api/v1/namespaces/${n}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "sops-keys" }, stringData: { "identity.agekey": readFileSync(AGE_KEY_FILE, "utf8") } });
  await client.create(`${GITOPS}/namespaces/${n}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name: "repo" }, spec: { url: repo.fileUrl, ref: { branch: "main" }, interval: "1h" } });
  await client.create(`${GITOPS}/namespaces/${n}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "app" }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, path, interval: "1h", decryption: { secretRef: { name: "sops-keys" } }, ...spec } });
  return waitFor("the Sync to be Ready", async () => {
    const s = await client.get<SyncObject>(syncPath(n));
    return s?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true ? s : undefined;
  }, 60_000, 100);
}
