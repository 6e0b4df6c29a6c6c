/**
 * An explicit registry of providers: the CLI and the operator build one at
 * start-up with the credentials they read, and hand it to the decryptors.
 */
import { SigilError } from "../core/index.js";
import type { KeyProvider, MasterKeyRef, ProviderType } from "./types.js";

export class ProviderRegistry {
  readonly #providers = new Map<ProviderType, KeyProvider>();

  /** Register (or replace) the provider for its type. */
  register<K extends MasterKeyRef>(provider: KeyProvider<K>): this {
    this.#providers.set(provider.type, provider);
    return this;
  }

  /** The provider for `type`, or undefined. */
  get<T extends ProviderType>(type: T): KeyProvider<Extract<MasterKeyRef, { type: T }>> | undefined {
    return this.#providers.get(type) as KeyProvider<Extract<MasterKeyRef, { type: T }>> | undefined;
  }

  /**
   * The provider for a key.
   * @throws SigilError `provider.not_configured` when none is registered.
   */
  require<K extends MasterKeyRef>(key: K): KeyProvider<K> {
    const provider = this.#providers.get(key.type);
    if (provider === undefined) {
      throw new SigilError("provider.not_configured", `no provider is configured for key type '${key.type}'`);
    }
    return provider as unknown as KeyProvider<K>;
  }

  types(): ProviderType[] {
    return [...this.#providers.keys()];
  }
}
