/**
 * `rotate`: decrypt (MAC verified), then re-encrypt everything under a new
 * data key, wrapped for the same master keys (optionally adding or removing
 * some), keeping the file's rules.
 */
import { SigilError } from "../../../core/index.js";
import type { MasterKeyRef, ProviderRegistry } from "../../../providers/index.js";
import { ValueCipher } from "../codec/value.js";
import { extractMetadata } from "../metadata/embed.js";
import { SOPS_VERSION, keyIdentity, masterKeyFromRef } from "../metadata/model.js";
import type { KeyGroup, SopsMetadata } from "../metadata/model.js";
import { readMetadata } from "../metadata/read.js";
import { storeFor } from "../stores/index.js";
import { decryptTree, verifyMac } from "./decrypt.js";
import { groupSecrets, recoverDataKey, wrapGroup } from "./datakey.js";
import { encryptTree, finishEncryption } from "./encrypt.js";
import { checkSize, defaultCommonOptions, inputFormat } from "./options.js";
import type { CommonOptions } from "./options.js";

export interface RotateOptions extends CommonOptions {
  /** Keys to add to the first key group. */
  readonly addKeys: readonly MasterKeyRef[];
  /** Keys to remove from every group. */
  readonly removeKeys: readonly MasterKeyRef[];
}

export function defaultRotateOptions(registry: ProviderRegistry): RotateOptions {
  return { ...defaultCommonOptions(registry), addKeys: [], removeKeys: [] };
}

function changedGroups(groups: KeyGroup[], opts: RotateOptions): KeyGroup[] {
  const removed = new Set(opts.removeKeys.map((r) => keyIdentity(masterKeyFromRef(r))));
  const out = groups.map((g) => g.filter((k) => !removed.has(keyIdentity(k))).map((k) => ({ ...k, enc: "" })));
  const first = out[0] ?? [];
  for (const ref of opts.addKeys) {
    const key = masterKeyFromRef(ref);
    if (!out.some((g) => g.some((k) => keyIdentity(k) === keyIdentity(key)))) first.push(key);
  }
  if (out.length === 0) out.push(first);
  if (out.some((g) => g.length === 0)) throw new SigilError("config.invalid", "rotation would leave a key group without keys", { subject: opts.path });
  return out;
}

/**
 * Re-encrypt a sops file with a new data key.
 * @throws SigilError as `decryptFile` (the MAC must verify), plus provider errors while wrapping.
 */
export async function rotateFile(bytes: Uint8Array, options: Partial<RotateOptions> & { registry: ProviderRegistry }): Promise<Uint8Array> {
  const opts: RotateOptions = { ...defaultRotateOptions(options.registry), ...options };
  const subject = opts.path;
  checkSize(bytes, opts);
  const format = inputFormat(opts);
  const store = storeFor(format, opts.store);
  const branches = store.parseEncrypted(bytes, subject);
  const mdTree = extractMetadata(branches, store.layout, subject);
  if (mdTree === undefined) throw new SigilError("decrypt.not_encrypted", "the file has no sops metadata: it is not encrypted", { subject });
  const old = readMetadata(mdTree, subject);
  const oldKey = await recoverDataKey(old, { registry: opts.registry, cache: opts.cache, order: opts.decryptionOrder, subject });
  const oldCipher = new ValueCipher(oldKey, { subject });
  verifyMac(old, decryptTree(branches, old, oldCipher, subject), oldCipher, subject);
  const md: SopsMetadata = { ...old, keyGroups: changedGroups(old.keyGroups, opts), version: SOPS_VERSION, mac: "" };
  const dataKey = opts.randomBytes(32);
  const secrets = groupSecrets(dataKey, md.keyGroups.length, md.shamirThreshold || md.keyGroups.length, opts.randomBytes);
  const now = opts.now();
  for (const [i, group] of md.keyGroups.entries()) await wrapGroup(group, secrets[i] ?? dataKey, opts.registry, now, subject);
  const cipher = new ValueCipher(dataKey, { subject, randomBytes: opts.randomBytes });
  const macText = encryptTree(branches, md, cipher, format === "binary", subject);
  return finishEncryption(branches, md, macText, cipher, store, now, subject);
}
