/**
 * The Vault (and OpenBao) transit key provider: `PUT /v1/<engine>/encrypt/<key>`
 * with the base64 plaintext, `PUT /v1/<engine>/decrypt/<key>` with the stored
 * `vault:v1:…` ciphertext, which is kept verbatim as sops' `enc`.
 */
import { SigilError, decodeBase64Strict, registerSecret } from "../../core/index.js";
import type { KeyProvider, VaultKeyRef } from "../types.js";
import type { VaultClient, VaultProviderOptions } from "./config.js";
import { mapVaultError } from "./errors.js";
import { vaultTransitUri } from "./uri.js";

export class VaultTransitProvider implements KeyProvider<VaultKeyRef> {
  readonly type = "hc_vault" as const;
  readonly #opts: VaultProviderOptions;

  constructor(options: VaultProviderOptions) {
    this.#opts = options;
  }

  /**
   * Encrypt with the transit key; returns the `vault:vN:…` ciphertext.
   * @throws SigilError `provider.not_configured` (no token or address),
   *   `provider.unreachable`, `provider.denied`, `provider.failed`.
   */
  async wrap(key: VaultKeyRef, plaintext: Uint8Array): Promise<string> {
    const client = await this.#client(key);
    const path = `${key.enginePath}/encrypt/${key.keyName}`;
    const body = await client.write(path, { plaintext: Buffer.from(plaintext).toString("base64") }).catch((err: unknown) => {
      throw mapVaultError(err, "encrypt", this.describe(key));
    });
    const ciphertext = dataField(body, "ciphertext");
    if (ciphertext === undefined || !ciphertext.startsWith("vault:")) {
      throw new SigilError("provider.failed", `vault transit encrypt returned no ciphertext for ${this.describe(key)}`, {
        subject: vaultTransitUri(key),
      });
    }
    return ciphertext;
  }

  /**
   * Decrypt the stored `vault:vN:…` ciphertext. Never returns `null`.
   * @throws SigilError `decrypt.invalid_ciphertext` (not a `vault:` string, or
   *   rejected by Vault), `provider.not_configured`, `provider.unreachable`,
   *   `provider.denied`, `provider.failed`.
   */
  async unwrap(key: VaultKeyRef, enc: string): Promise<Uint8Array> {
    if (!/^vault:v\d+:\S+$/.test(enc)) {
      throw new SigilError("decrypt.invalid_ciphertext", `the vault-wrapped data key for ${this.describe(key)} is not a 'vault:vN:…' string`, {
        subject: vaultTransitUri(key),
      });
    }
    const client = await this.#client(key);
    const path = `${key.enginePath}/decrypt/${key.keyName}`;
    const body = await client.write(path, { ciphertext: enc }).catch((err: unknown) => {
      throw mapVaultError(err, "decrypt", this.describe(key));
    });
    const b64 = dataField(body, "plaintext");
    const decoded = b64 === undefined ? undefined : decodeBase64Strict(b64);
    if (decoded === undefined) {
      throw new SigilError("provider.failed", `vault transit decrypt returned no valid plaintext for ${this.describe(key)}`, {
        subject: vaultTransitUri(key),
      });
    }
    const plaintext = new Uint8Array(decoded);
    registerSecret(plaintext);
    return plaintext;
  }

  describe(key: VaultKeyRef): string {
    return `vault transit key ${vaultTransitUri(key)}`;
  }

  async #client(key: VaultKeyRef): Promise<VaultClient> {
    const address = key.vaultAddress !== "" ? key.vaultAddress : this.#opts.defaultAddress;
    if (address === undefined || address === "") {
      throw new SigilError("provider.not_configured", `no vault address for ${this.describe(key)}: the key has none and VAULT_ADDR is not set`, {
        subject: vaultTransitUri(key),
      });
    }
    const token = await this.#opts.token();
    if (token === undefined || token === "") {
      throw new SigilError("provider.not_configured", `no vault token for ${this.describe(key)}: set VAULT_TOKEN or write ~/.vault-token`, {
        subject: vaultTransitUri(key),
      });
    }
    return this.#opts.clients({ address, token, namespace: this.#opts.namespace });
  }
}

function dataField(body: unknown, field: string): string | undefined {
  if (typeof body !== "object" || body === null || !("data" in body)) return undefined;
  const data = body.data;
  if (typeof data !== "object" || data === null || !(field in data)) return undefined;
  const value: unknown = (data as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}
