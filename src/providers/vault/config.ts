/**
 * What the Vault transit provider is given: how to get the token, the
 * namespace, and a factory for narrow HTTP clients (one per address).
 */

/** The one call transit needs: an authenticated write (`POST /v1/<path>`; Vault treats POST as PUT) returning the JSON body. */
export interface VaultClient {
  write(path: string, data: Readonly<Record<string, unknown>>): Promise<unknown>;
}

export interface VaultClientParams {
  /** `scheme://host[:port]` */
  readonly address: string;
  readonly token: string;
  /** Sent as `X-Vault-Namespace` when set. */
  readonly namespace?: string | undefined;
}

export type VaultClientFactory = (params: VaultClientParams) => VaultClient;

export interface VaultProviderOptions {
  readonly clients: VaultClientFactory;
  /** The token (`VAULT_TOKEN`, else `~/.vault-token`), resolved lazily; `undefined` when there is none. */
  readonly token: () => Promise<string | undefined>;
  /** `VAULT_NAMESPACE`. */
  readonly namespace?: string | undefined;
  /** `VAULT_ADDR`: used only for keys whose metadata has an empty address. */
  readonly defaultAddress?: string | undefined;
}
