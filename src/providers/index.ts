export { ProviderRegistry } from "./registry.js";
export type { AgeKeyRef, KeyProvider, KmsKeyRef, MasterKeyRef, ProviderType, VaultKeyRef } from "./types.js";
export { AgeProvider } from "./age/provider.js";
export { defaultAgeProviderOptions } from "./age/config.js";
export type { AgeIdentityLoaderDeps, AgeIdentitySource, AgeProviderOptions } from "./age/config.js";
export { MAX_KEY_FILE_BYTES, describeAgeSearch, loadAgeIdentities, parseIdentityLines } from "./age/identities.js";
export type { AgeIdentitySet, AgeSearchEntry, LoadedAgeIdentity } from "./age/identities.js";
export { SUPPORTED_AGE_RECIPIENT_KINDS, ageRecipientKind, ageRecipientRef, parseAgeRecipients } from "./age/recipient.js";
export type { AgeRecipientKind } from "./age/recipient.js";
export { KmsProvider } from "./awskms/provider.js";
export type { KmsClient, KmsClientFactory, KmsClientParams, KmsProviderOptions } from "./awskms/config.js";
export {
  KMS_ARN_PATTERN,
  ROLE_SESSION_NAME_MAX,
  kmsKeyRef,
  kmsRegionFromArn,
  parseEncryptionContext,
  parseKmsArns,
  stsSessionName,
} from "./awskms/arn.js";
export type { KmsRefOptions } from "./awskms/arn.js";
export { defaultSdkKmsOptions, sdkKmsClientFactory } from "./awskms/sdk.js";
export type { SdkKmsOptions } from "./awskms/sdk.js";
export { isNetworkError, mapKmsError } from "./awskms/errors.js";
export { VaultTransitProvider } from "./vault/provider.js";
export type { VaultClient, VaultClientFactory, VaultClientParams, VaultProviderOptions } from "./vault/config.js";
export { parseVaultTransitUri, parseVaultTransitUris, vaultTransitUri } from "./vault/uri.js";
export { defaultNodeVaultOptions, nodeVaultClientFactory } from "./vault/client.js";
export type { NodeVaultOptions } from "./vault/client.js";
export { mapVaultError } from "./vault/errors.js";
