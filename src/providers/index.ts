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
export { mapVaultError, vaultMessage } from "./vault/errors.js";
// Vault KV reads for ExternalSecrets (ESO-compatible), with logins and a token cache.
export { JsonNumber, compareGoStrings, defaultJsonLimits, goFloatJson, goFormatFloat, goJsonMarshal, goJsonString, isJsonObject, parseJson } from "./vault/kv/json.js";
export type { JsonLimits, JsonObject, JsonValue } from "./vault/kv/json.js";
export { HttpVaultTransport, defaultVaultConnection, statusError } from "./vault/kv/transport.js";
export type { VaultConnection, VaultRequest, VaultResponse, VaultTransport } from "./vault/kv/transport.js";
export { buildDataPath, buildMetadataPath } from "./vault/kv/paths.js";
export type { KvVersion } from "./vault/kv/paths.js";
export { byteValue, secretMap, secretValue } from "./vault/kv/values.js";
export { gjsonGet, gjsonString, splitGjsonPath } from "./vault/kv/gjson.js";
export { KvClient, compileRegexp } from "./vault/kv/client.js";
export type { KvFind, KvRef, KvSend, KvSettings } from "./vault/kv/client.js";
export { VaultClients, defaultVaultClientsOptions } from "./vault/kv/session.js";
export type { KvClientOptions, VaultClientsOptions, VaultStoreConfig } from "./vault/kv/session.js";
export { lifetime, vaultLogin } from "./vault/auth/login.js";
export type { LoginSend, VaultLogin, VaultToken } from "./vault/auth/login.js";
export { TokenCache, defaultTokenCacheOptions } from "./vault/auth/token-cache.js";
export type { TokenCacheOptions } from "./vault/auth/token-cache.js";
export {
  AWS_ENDPOINT_URL_ENV,
  AWS_ENDPOINT_URL_KMS_ENV,
  AWS_ENDPOINT_URL_STS_ENV,
  SIGIL_AGE_PASSPHRASE_ENV,
  SOPS_AGE_KEY_ENV,
  SOPS_AGE_KEY_FILE_ENV,
  VAULT_ADDR_ENV,
  VAULT_CACERT_ENV,
  VAULT_NAMESPACE_ENV,
  VAULT_SKIP_VERIFY_ENV,
  VAULT_TOKEN_ENV,
  ageIdentitySources,
  ageKeyLocations,
  awsStaticCredentials,
  buildAgeProvider,
  buildKmsProvider,
  buildProviderRegistry,
  buildVaultProvider,
  defaultAgeKeysFile,
  defaultProviderEnvOptions,
  describeAgeIdentitySearch,
  vaultTokenSource,
} from "./wiring/from-env.js";
export type { Env, ProviderEnvOptions } from "./wiring/from-env.js";
export { AGE_KEY_SUFFIX, AWS_KMS_KEY, VAULT_TOKEN_KEY, buildProviderRegistryFromSecret, defaultSecretProviderOptions, parseAwsCredentials } from "./wiring/from-secret.js";
export type { AwsCredentials, KeySecret, SecretProviderOptions } from "./wiring/from-secret.js";
