/**
 * The `Ready` condition of SecretStores and ClusterSecretStores, as ESO's
 * store controller sets it: a client is built (credentials read, login
 * made through the token cache) and the token is checked with
 * `auth/token/lookup-self`. A provider other than Vault, or an auth method
 * Sigil lacks, gives `Ready=False` / `InvalidProviderConfig`, never a crash.
 */
import { redact } from "../../core/index.js";
import type { KubeClient } from "../../kube/index.js";
import type { VaultClients } from "../../providers/index.js";
import { STORE_INVALID_PROVIDER, STORE_VALID, STORE_VALIDATION_FAILED, setCondition } from "../../external-secrets/index.js";
import type { SecretStore } from "../../external-secrets/index.js";
import { CLUSTER_SECRET_STORES, SECRET_STORES } from "./resources.js";
import { rfc3339, writeStatus } from "./status.js";
import { vaultStoreConfig } from "./store.js";

/** The condition a validation produced, and the Event to record. */
export interface StoreVerdict {
  readonly status: "True" | "False";
  readonly reason: string;
  readonly message: string;
  readonly event: { readonly type: "Normal" | "Warning"; readonly reason: string; readonly message: string };
}

/** Validate `store` (ESO `validateStore`). */
export async function validateStore(client: KubeClient, vault: VaultClients, store: SecretStore): Promise<StoreVerdict> {
  let kv;
  try {
    const config = await vaultStoreConfig(client, store, store.metadata?.namespace ?? "");
    kv = { config, client: vault.kv(config) };
  } catch (err) {
    const text = redact(err instanceof Error ? err.message : String(err));
    return { status: "False", reason: STORE_INVALID_PROVIDER, message: "unable to create client", event: { type: "Warning", reason: STORE_INVALID_PROVIDER, message: text } };
  }
  try {
    await vault.checkToken(kv.config);
  } catch (err) {
    const text = redact(err instanceof Error ? err.message : String(err));
    return { status: "False", reason: STORE_VALIDATION_FAILED, message: `unable to validate store: ${text}`, event: { type: "Warning", reason: STORE_VALIDATION_FAILED, message: text } };
  }
  return { status: "True", reason: STORE_VALID, message: "store validated", event: { type: "Normal", reason: STORE_VALID, message: "store validated" } };
}

/** The store's next status for `verdict`. */
export function storeStatus(store: SecretStore, verdict: StoreVerdict, now: number): NonNullable<SecretStore["status"]> {
  const conditions = setCondition(store.status?.conditions, { type: "Ready", status: verdict.status, reason: verdict.reason, message: verdict.message }, rfc3339(now));
  return verdict.status === "True" ? { capabilities: "ReadWrite", conditions } : { ...(store.status?.capabilities === undefined ? {} : { capabilities: store.status.capabilities }), conditions };
}

/** Write the store's status when it changed; false on a conflict. */
export function writeStoreStatus(client: KubeClient, store: SecretStore, next: NonNullable<SecretStore["status"]>): Promise<boolean> {
  return writeStatus(client, store.kind === "ClusterSecretStore" ? CLUSTER_SECRET_STORES : SECRET_STORES, store, next);
}
