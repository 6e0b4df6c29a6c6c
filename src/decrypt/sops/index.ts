/**
 * The SOPS area: byte-compatible reading and writing of sops files (YAML,
 * JSON, dotenv, INI, binary) with age, AWS KMS and Vault transit keys.
 */
export { decryptFile, defaultDecryptOptions } from "./engine/decrypt.js";
export type { DecryptOptions, DecryptResult } from "./engine/decrypt.js";
export { defaultEncryptOptions, encryptFile } from "./engine/encrypt.js";
export type { EncryptOptions } from "./engine/encrypt.js";
export { defaultRotateOptions, rotateFile } from "./engine/rotate.js";
export type { RotateOptions } from "./engine/rotate.js";
export { defaultUpdateKeysOptions, updateKeysFile } from "./engine/updatekeys.js";
export type { UpdateKeysOptions, UpdateKeysResult } from "./engine/updatekeys.js";
export { DEFAULT_DECRYPTION_ORDER, DataKeyCache, defaultDataKeyCache } from "./engine/datakey.js";
export { DEFAULT_MAX_ENCRYPTED_BYTES, DEFAULT_MAX_INPUT_BYTES, ENCRYPTED_SIZE_FACTOR, defaultCommonOptions } from "./engine/options.js";
export type { CommonOptions } from "./engine/options.js";
export { looksEncrypted, sopsDecryptor } from "./decryptor.js";
export type { SopsDecryptor, SopsSource } from "./decryptor.js";
export { SOPS_FORMATS, defaultStoreOptions, detectFormat, parseFormat, storeFor } from "./stores/index.js";
export type { SopsFormat, Store, StoreOptions } from "./stores/index.js";
export { KEY_TYPES, SOPS_VERSION, describeKey } from "./metadata/model.js";
export type { KeyGroup, KeyType, MasterKey, SopsMetadata } from "./metadata/model.js";
export { Comment, SopsTime, TreeMap } from "./tree/model.js";
export type { Branches, MapItem, Scalar, TreeSeq, TreeValue } from "./tree/model.js";
export { DEFAULT_UNENCRYPTED_SUFFIX, RULE_FIELDS } from "./tree/rules.js";
export type { RuleField, RuleSet } from "./tree/rules.js";
/** The `.sops.yaml` module (docs/sops-config.md): lookup, loading, creation rules, Go RE2 (re2js). */
export * from "./config/index.js";
