/**
 * Runs Sigil's ExternalSecret and store reconciles for a set of namespaces
 * (and the ClusterSecretStores of its class), polling every `everyMs`, over
 * the real API server and OpenBao. The production controller drives the same
 * functions from watches; this driver keeps the differential runs simple
 * and deterministic.
 */
import { RateLimiter } from "../../../src/kube/runtime/index.js";
import type { ExternalSecret, SecretStore } from "../../../src/external-secrets/index.js";
import { reconcileExternalSecret } from "../../../src/operator/external-secrets/reconcile.js";
import type { EsReconcileDeps } from "../../../src/operator/external-secrets/reconcile.js";
import { storeStatus, validateStore, writeStoreStatus } from "../../../src/operator/external-secrets/store-status.js";
import { TokenCache, VaultClients } from "../../../src/providers/index.js";
import { adminClient } from "../../support/bitnami.js";

/** A running driver. */
export interface RunningSigil {
  readonly vault: VaultClients;
  readonly events: { reason: string; message: string }[];
  stop(): Promise<void>;
}

/** Start driving reconciles for `namespaces`. */
export async function startSigil(options: { controllerClass: string; namespaces: readonly string[]; everyMs?: number }): Promise<RunningSigil> {
  const client = adminClient();
  const vault = new VaultClients({ tokens: new TokenCache() });
  const events: { reason: string; message: string }[] = [];
  const limiter = new RateLimiter({ perSecond: 100, burst: 100 });
  const deps: EsReconcileDeps = {
    client, vault, controllerClass: options.controllerClass, floodGate: true, now: Date.now,
    event: (_es, _type, reason, message) => { events.push({ reason, message }); },
    takeStoreToken: (key) => limiter.take(key),
    jitterMs: () => 0,
  };
  const ours = (s: SecretStore): boolean => s.spec?.controller === undefined || s.spec.controller === "" || s.spec.controller === options.controllerClass;
  const state = { stopped: false };
  const round = async (): Promise<void> => {
    const clusterStores = (await client.list<SecretStore>("/apis/external-secrets.io/v1/clustersecretstores")).items.filter(ours).map((s) => ({ ...s, kind: "ClusterSecretStore" }));
    for (const ns of options.namespaces) {
      const stores = (await client.list<SecretStore>(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores`)).items.filter(ours).map((s) => ({ ...s, kind: "SecretStore" }));
      for (const s of [...stores, ...clusterStores]) {
        if (s.status?.conditions?.some((c) => c.type === "Ready") === true) continue;
        await writeStoreStatus(client, s, storeStatus(s, await validateStore(client, vault, s), Date.now()));
      }
      for (const es of (await client.list<ExternalSecret>(`/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`)).items) {
        await reconcileExternalSecret(deps, es).catch(() => undefined);
      }
    }
  };
  const loop = (async () => {
    while (!state.stopped) {
      await round().catch(() => undefined);
      await new Promise((r) => setTimeout(r, options.everyMs ?? 300));
    }
  })();
  await Promise.resolve();
  return {
    vault, events,
    stop: async () => {
      state.stopped = true;
      await loop;
      await vault.close();
    },
  };
}
