export { ProviderRegistry } from "./registry.js";
export type { AgeKeyRef, KeyProvider, KmsKeyRef, MasterKeyRef, ProviderType, VaultKeyRef } from "./types.js";
export { AgeProvider } from "./age/provider.js";
export { defaultAgeProviderOptions } from "./age/config.js";
export type { AgeIdentityLoaderDeps, AgeIdentitySource, AgeProviderOptions } from "./age/config.js";
export { MAX_KEY_FILE_BYTES, describeAgeSearch, loadAgeIdentities, parseIdentityLines } from "./age/identities.js";
export type { AgeIdentitySet, AgeSearchEntry, LoadedAgeIdentity } from "./age/identities.js";
export { SUPPORTED_AGE_RECIPIENT_KINDS, ageRecipientKind, ageRecipientRef, parseAgeRecipients } from "./age/recipient.js";
export type { AgeRecipientKind } from "./age/recipient.js";
