/**
 * `rotate`: decrypt (MAC verified), then re-encrypt everything under a new
 * data key, wrapped for the same master keys (optionally adding or removing
 * some), keeping the file's rules.
 */
import { SigilError, registerSecret } from "../../../core/index.js";
import type { MasterKeyRef, ProviderRegistry } from "../../../providers/index.js";
import { ValueCipher } from "../codec/value.js";
import { SOPS_VERSION, keyIdentity, masterKeyFromRef } from "../metadata/model.js";
import type { KeyGroup, SopsMetadata } from "../metadata/model.js";
import { decryptOpened } from "./decrypt.js";
import { groupSecrets, wrapGroup } from "./datakey.js";
import { encryptTree, finishEncryption } from "./encrypt.js";
import { openEncrypted } from "./open.js";
import { DEFAULT_MAX_ENCRYPTED_BYTES, defaultCommonOptions } from "./options.js";
import type { CommonOptions } from "./options.js";

export interface RotateOptions extends CommonOptions {
  /** Keys to add to the first key group. */
  readonly addKeys: readonly MasterKeyRef[];
  /** Keys to remove from every group. */
  readonly removeKeys: readonly MasterKeyRef[];
}

export function defaultRotateOptions(registry: ProviderRegistry): RotateOptions {
  return { ...defaultCommonOptions(registry), maxInputBytes: DEFAULT_MAX_ENCRYPTED_BYTES, addKeys: [], removeKeys: [] };
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
  const file = openEncrypted(bytes, opts);
  await decryptOpened(file, opts, true);
  const { store, branches, metadata: old } = file;
  const md: SopsMetadata = { ...old, keyGroups: changedGroups(old.keyGroups, opts), version: SOPS_VERSION, mac: "" };
  const dataKey = opts.randomBytes(32);
  const secrets = groupSecrets(dataKey, md.keyGroups.length, md.shamirThreshold || md.keyGroups.length, opts.randomBytes);
  registerSecret(dataKey); // the shares are registered by wrapGroup; with Shamir the key itself is never wrapped
  const now = opts.now();
  for (const [i, group] of md.keyGroups.entries()) await wrapGroup(group, secrets[i] ?? dataKey, opts.registry, now, subject);
  const cipher = new ValueCipher(dataKey, { subject, randomBytes: opts.randomBytes });
  const macText = encryptTree(branches, md, cipher, store.format === "binary", subject);
  return finishEncryption(branches, md, macText, cipher, store, now, subject);
}
