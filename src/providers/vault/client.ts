/**
 * Real Vault clients on `node-vault`. Every setting is passed explicitly and
 * node-vault's own environment fallbacks (`VAULT_ADDR`, `VAULT_TOKEN`,
 * `VAULT_NAMESPACE`, `VAULT_PREFIX`) are overridden, and its debug logging
 * (which prints request bodies) is switched off. node-vault is imported on
 * first use (≈ 19 MB of a process's memory), so processes that never call
 * Vault, such as a Sealed Secrets controller with plain keys, never load it.
 */
import { readFileSync } from "node:fs";
import type { VaultClient, VaultClientFactory, VaultClientParams } from "./config.js";

export interface NodeVaultOptions {
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** PEM CA bundle file for TLS (`VAULT_CACERT`). */
  readonly caCertFile?: string | undefined;
  /** Skip TLS verification (`VAULT_SKIP_VERIFY`). */
  readonly skipVerify: boolean;
}

export function defaultNodeVaultOptions(): NodeVaultOptions {
  return { timeoutMs: 15_000, skipVerify: false };
}

/**
 * A factory of node-vault clients, cached per address/token/namespace.
 * @throws (when a client is first built) the `readFileSync` error for an unreadable CA file.
 */
export function nodeVaultClientFactory(options: Partial<NodeVaultOptions> = {}): VaultClientFactory {
  const opts: NodeVaultOptions = { ...defaultNodeVaultOptions(), ...options };
  const cache = new Map<string, VaultClient>();
  return (params) => {
    const id = JSON.stringify([params.address, params.token, params.namespace ?? ""]);
    let client = cache.get(id);
    if (client === undefined) {
      client = newClient(params, opts);
      cache.set(id, client);
    }
    return client;
  };
}

function newClient(params: VaultClientParams, opts: NodeVaultOptions): VaultClient {
  let vault: Promise<{ write(path: string, data: unknown): Promise<unknown> }> | undefined;
  return {
    write: async (path, data) => {
      vault ??= loadClient(params, opts);
      return (await vault).write(path, data);
    },
  };
}

async function loadClient(params: VaultClientParams, opts: NodeVaultOptions): Promise<{ write(path: string, data: unknown): Promise<unknown> }> {
  const ca = opts.caCertFile === undefined ? undefined : readFileSync(opts.caCertFile);
  const { default: nodeVault } = await import("node-vault");
  const vault = nodeVault({
    apiVersion: "v1",
    endpoint: params.address,
    token: params.token,
    pathPrefix: "",
    debug: () => undefined,
    // strictSSL is always explicit so node-vault's VAULT_SKIP_VERIFY fallback never applies.
    requestOptions: { timeout: opts.timeoutMs, strictSSL: !opts.skipVerify, ...(ca === undefined ? {} : { ca }) },
  });
  // node-vault falls back to process.env for these when given a falsy value.
  Object.assign(vault, { token: params.token, namespace: params.namespace, pathPrefix: "" });
  return { write: (path, data) => vault.write(path, data) as Promise<unknown> };
}
