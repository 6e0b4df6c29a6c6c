export { ProviderRegistry } from "./registry.js";
export type { AgeKeyRef, KeyProvider, KmsKeyRef, MasterKeyRef, ProviderType, VaultKeyRef } from "./types.js";
