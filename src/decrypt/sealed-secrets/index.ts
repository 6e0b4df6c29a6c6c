/**
 * Sealed Secrets (bitnami-labs/sealed-secrets compatible): the hybrid codec,
 * scopes, keys and key Secrets (plain or provider-wrapped), templates,
 * sealing, unsealing with a result cache, and manifest I/O.
 */
export { UnsealCache, defaultUnsealCacheOptions } from "./cache.js";
export type { KeyPresence, UnsealCacheOptions } from "./cache.js";
export { defaultKeyGenOptions, generateSealingKeyPair, parseCertificate, sealingCertificate, selfSignCertificate } from "./cert.js";
export type { GeneratedKeyPair, KeyGenOptions, SealingCertificate } from "./cert.js";
export { decodeBase64Strict, defaultHybridEncryptOptions, encodeBlob, hybridEncrypt, openWithKey, splitBlob } from "./codec.js";
export type { BlobParts, HybridEncryptOptions } from "./codec.js";
export * from "./constants.js";
export { keySecretsFromBackup, readKeyFile } from "./key-files.js";
export {
  buildKeySecret,
  defaultKeySecretOptions,
  isKeySecret,
  isWrappedKeySecret,
  keySecretCertificate,
  sealingKeyFromSecret,
  withCertificate,
} from "./key-secret.js";
export type { KeyPairPem, KeySecretOptions } from "./key-secret.js";
export { KeyRing, looksLikePemPrivateKey, privateKeysFromPem, publicKeyFingerprint, sealingKeyFromPrivateKey } from "./keys.js";
export type { SealingKey } from "./keys.js";
export { parseManifests, toSealedSecret, toSecret } from "./manifest.js";
export { detectFormat, mergeIntoText, mergeSealedSecrets } from "./merge.js";
export { OUTPUT_FORMATS, formatObject, goJsonString, parseOutputFormat } from "./output.js";
export type { OutputFormat } from "./output.js";
export { SCOPES, encryptionLabel, labelForMeta, parseScope, scopeFromAnnotations, withScopeAnnotations } from "./scope.js";
export type { Annotations, Scope, ScopedMeta } from "./scope.js";
export { defaultSealOptions, sealRaw, sealSecret } from "./seal.js";
export type { RawTarget, SealOptions } from "./seal.js";
export { TEMPLATE_FUNCTIONS, renderTemplate } from "./template.js";
export type { TemplateContext } from "./template.js";
export { subjectOf } from "./types.js";
export type {
  ObjectMeta,
  OwnerReference,
  SealedSecretCondition,
  SealedSecretObject,
  SealedSecretSpec,
  SealedSecretStatus,
  SecretObject,
  SecretTemplate,
} from "./types.js";
export { defaultUnsealOptions, openBlob, unsealSealedSecret } from "./unseal.js";
export type { OpenedBlob, UnsealOptions } from "./unseal.js";
export { loadKeySecret, loadWrappedKeySecret, parseWrapRef, wrapKeySecret, wrappedKeyRef } from "./wrap.js";
