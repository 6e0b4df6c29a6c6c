/**
 * Encryption (docs/formats.md#a14-decrypt-and-encrypt-step-by-step): a new data key wrapped by every master key (or Shamir
 * shares for several key groups), every selected leaf encrypted with a fresh
 * 32-byte IV, the MAC over the plaintexts, and the metadata written as sops
 * writes it.
 */
import { SigilError, registerSecret } from "../../../core/index.js";
import type { MasterKeyRef, ProviderRegistry } from "../../../providers/index.js";
import { formatLastModified } from "../codec/go-time.js";
import { MacBuilder } from "../codec/mac.js";
import { ValueCipher, plaintextBytes } from "../codec/value.js";
import { embedMetadata, hasMetadataKey } from "../metadata/embed.js";
import { SOPS_VERSION, masterKeyFromRef } from "../metadata/model.js";
import type { KeyGroup, SopsMetadata } from "../metadata/model.js";
import { metadataToTree } from "../metadata/write.js";
import { storeFor } from "../stores/index.js";
import type { SopsFormat, Store } from "../stores/index.js";
import { Comment } from "../tree/model.js";
import type { Branches } from "../tree/model.js";
import { DEFAULT_UNENCRYPTED_SUFFIX, ENCRYPT_ALL, compileRule, singleRule } from "../tree/rules.js";
import type { RuleSet } from "../tree/rules.js";
import { walkBranches } from "../tree/walk.js";
import { groupSecrets, wrapGroup } from "./datakey.js";
import { ENCRYPTED_SIZE_FACTOR, checkSize, defaultCommonOptions, inputFormat } from "./options.js";
import type { CommonOptions } from "./options.js";

export interface EncryptOptions extends CommonOptions {
  /** Master keys, one list per key group (at least one group with one key). */
  readonly keyGroups: readonly (readonly MasterKeyRef[])[];
  /**
   * Groups needed to decrypt when there are several (default: all of them).
   * With one group it is only recorded in the metadata (when > 0), as sops does.
   */
  readonly shamirThreshold: number;
  /** At most one selection rule (default `unencrypted_suffix: _unencrypted`; none for binary). */
  readonly rules: RuleSet;
  /** Compute the MAC over encrypted values only. */
  readonly macOnlyEncrypted: boolean;
  /** Format of the encrypted output (default: the input format). */
  readonly outputFormat: SopsFormat | undefined;
}

export function defaultEncryptOptions(registry: ProviderRegistry): EncryptOptions {
  return { ...defaultCommonOptions(registry), keyGroups: [], shamirThreshold: 0, rules: {}, macOnlyEncrypted: false, outputFormat: undefined };
}

function checkGroups(opts: EncryptOptions): number {
  const groups = opts.keyGroups.filter((g) => g.length > 0);
  if (groups.length === 0 || groups.length !== opts.keyGroups.length) {
    throw new SigilError("provider.not_configured", "no keys to encrypt with: give --age, --kms or --hc-vault-transit, or a .sops.yaml creation rule", {
      subject: opts.path,
    });
  }
  // One group: the data key is not split, but a threshold that was asked for
  // is written as given, as sops writes it (and reads it back unused).
  if (groups.length === 1) return Math.max(opts.shamirThreshold, 0);
  const threshold = opts.shamirThreshold > 0 ? opts.shamirThreshold : groups.length;
  if (threshold > groups.length) {
    throw new SigilError("config.invalid", `the shamir threshold ${threshold} is larger than the number of key groups (${groups.length})`, { subject: opts.path });
  }
  return threshold;
}

/**
 * Encrypt a plain tree in place with `dataKey` and return the MAC text.
 * @throws SigilError `config.invalid` when an encrypted comment would match `unencrypted_comment_regex`.
 */
export function encryptTree(branches: Branches, md: SopsMetadata, cipher: ValueCipher, binary: boolean, subject: string | undefined): string {
  const rule = binary ? ENCRYPT_ALL : compileRule(md.rules, subject);
  const commentRule = md.rules.unencrypted_comment_regex === undefined ? undefined : compileRule(md.rules, subject);
  const mac = new MacBuilder(md.macOnlyEncrypted);
  walkBranches(
    branches,
    rule,
    (leaf, aad, encrypted, isComment) => {
      if (!isComment) mac.add(plaintextBytes(leaf), encrypted);
      if (!encrypted) return leaf;
      const empty = leaf instanceof Comment ? leaf.value === "" : leaf === "" || (leaf instanceof Uint8Array && leaf.length === 0);
      if (empty) return leaf instanceof Comment ? leaf : "";
      const enc = cipher.encrypt(leaf, aad);
      if (isComment && commentRule?.matchComment(enc) === true) {
        throw new SigilError("config.invalid", "an encrypted comment matches unencrypted_comment_regex; choose a regex that cannot match ENC[...] strings", { subject });
      }
      return enc;
    },
    subject,
  );
  return mac.digest();
}

/** Seal the MAC with `lastmodified` as AAD and emit the encrypted file. */
export function finishEncryption(branches: Branches, md: SopsMetadata, macText: string, cipher: ValueCipher, store: Store, now: Date, subject?: string): Uint8Array {
  md.lastModified = formatLastModified(now);
  md.mac = cipher.encrypt(macText, md.lastModified);
  return store.emitEncrypted(embedMetadata(branches, metadataToTree(md), store.layout, subject), subject);
}

function initialRules(opts: EncryptOptions, binary: boolean): RuleSet {
  if (binary) return {};
  const one = singleRule(opts.rules, opts.path);
  return one === undefined ? { unencrypted_suffix: DEFAULT_UNENCRYPTED_SUFFIX } : { [one[0]]: one[1] };
}

/**
 * Encrypt a plain file.
 * @throws SigilError `input.too_large`, `decrypt.parse_failed`, `input.invalid` (no document,
 *   non-string keys), `decrypt.already_encrypted`, `provider.not_configured` (no keys),
 *   `config.invalid` (rules, threshold), and provider errors while wrapping the data key.
 */
export async function encryptFile(bytes: Uint8Array, options: Partial<EncryptOptions> & { registry: ProviderRegistry }): Promise<Uint8Array> {
  const opts: EncryptOptions = { ...defaultEncryptOptions(options.registry), ...options };
  const subject = opts.path;
  checkSize(bytes, opts);
  const format = inputFormat(opts);
  const store = storeFor(format, opts.store);
  const branches = store.parsePlain(bytes, subject);
  if (branches.length === 0) throw new SigilError("input.invalid", "the file has no document to encrypt", { subject });
  if (hasMetadataKey(branches[0], store.layout)) throw new SigilError("decrypt.already_encrypted", "the file is already encrypted (it has sops metadata)", { subject });
  const binary = format === "binary";
  const threshold = checkGroups(opts);
  const groups: KeyGroup[] = opts.keyGroups.map((g) => g.map(masterKeyFromRef));
  const md: SopsMetadata = {
    keyGroups: groups,
    shamirThreshold: threshold,
    lastModified: "",
    mac: "",
    rules: initialRules(opts, binary),
    macOnlyEncrypted: binary ? false : opts.macOnlyEncrypted,
    version: SOPS_VERSION,
  };
  const dataKey = opts.randomBytes(32);
  const secrets = groupSecrets(dataKey, groups.length, threshold, opts.randomBytes);
  // Registered before any provider sees them: a provider error may echo its request.
  for (const secret of [dataKey, ...secrets]) registerSecret(secret);
  const now = opts.now();
  for (const [i, group] of groups.entries()) await wrapGroup(group, secrets[i] ?? dataKey, opts.registry, now, subject);
  const cipher = new ValueCipher(dataKey, { subject, randomBytes: opts.randomBytes });
  const macText = encryptTree(branches, md, cipher, binary, subject);
  const outStore = opts.outputFormat === undefined ? store : storeFor(opts.outputFormat, opts.store);
  const out = finishEncryption(branches, md, macText, cipher, outStore, now, subject);
  checkEncryptedSize(out, opts);
  return out;
}

/**
 * Refuse an encrypted file larger than ENCRYPTED_SIZE_FACTOR times the input
 * limit: decrypt (whose default is that factor times encrypt's) could not
 * read it back with the matching limit. Many tiny values expand the most.
 */
function checkEncryptedSize(out: Uint8Array, opts: Pick<EncryptOptions, "maxInputBytes" | "path">): void {
  const limit = ENCRYPTED_SIZE_FACTOR * opts.maxInputBytes;
  if (out.length > limit) {
    throw new SigilError(
      "input.too_large",
      `the encrypted file would be ${out.length} bytes, more than ${ENCRYPTED_SIZE_FACTOR} times the input limit (${limit} bytes), which is what decrypt reads with the matching limit; split the file or raise the limits of both commands`,
      { subject: opts.path },
    );
  }
}
