/**
 * `updatekeys`: make a file's master keys match a creation rule. The data
 * key, the values, `lastmodified` and the MAC stay as they are; keys that
 * remain keep their wrapped data key (smaller diffs), new keys get one.
 */
import { SigilError } from "../../../core/index.js";
import type { MasterKeyRef, ProviderRegistry } from "../../../providers/index.js";
import { embedMetadata } from "../metadata/embed.js";
import { describeKey, keyIdentity, masterKeyFromRef } from "../metadata/model.js";
import type { KeyGroup, MasterKey, SopsMetadata } from "../metadata/model.js";
import { metadataToTree } from "../metadata/write.js";
import { groupSecrets, recoverDataKey, wrapGroup } from "./datakey.js";
import { openEncrypted } from "./open.js";
import { DEFAULT_MAX_ENCRYPTED_BYTES, defaultCommonOptions } from "./options.js";
import type { CommonOptions } from "./options.js";

export interface UpdateKeysOptions extends CommonOptions {
  /** The wanted master keys, one list per group. */
  readonly keyGroups: readonly (readonly MasterKeyRef[])[];
  /** The wanted threshold for several groups (0: all groups). */
  readonly shamirThreshold: number;
}

export function defaultUpdateKeysOptions(registry: ProviderRegistry): UpdateKeysOptions {
  return { ...defaultCommonOptions(registry), maxInputBytes: DEFAULT_MAX_ENCRYPTED_BYTES, keyGroups: [], shamirThreshold: 0 };
}

/** What `updateKeysFile` did. */
export interface UpdateKeysResult {
  readonly changed: boolean;
  /** Keys added and removed (`age:age1…`, `kms:arn:…`); no secrets. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** The updated file (the input itself when nothing changed). */
  readonly output: Uint8Array;
}

function ids(groups: readonly KeyGroup[]): Set<string> {
  return new Set(groups.flatMap((g) => g.map(keyIdentity)));
}

function sameGroups(a: readonly KeyGroup[], b: readonly KeyGroup[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((g, i) => {
    const other = new Set((b[i] ?? []).map(keyIdentity));
    return g.length === other.size && g.every((k) => other.has(keyIdentity(k)));
  });
}

function wantedThreshold(groups: number, requested: number): number {
  return groups > 1 ? (requested > 0 ? requested : groups) : 0;
}

async function rewrap(md: SopsMetadata, wanted: KeyGroup[], threshold: number, opts: UpdateKeysOptions): Promise<KeyGroup[]> {
  const dataKey = await recoverDataKey(md, { registry: opts.registry, cache: opts.cache, order: opts.decryptionOrder, subject: opts.path });
  const now = opts.now();
  if (wanted.length === 1 && md.keyGroups.length === 1) {
    const existing = new Map((md.keyGroups[0] ?? []).map((k) => [keyIdentity(k), k] as const));
    const group: MasterKey[] = (wanted[0] ?? []).map((k) => existing.get(keyIdentity(k)) ?? k);
    await wrapGroup(group.filter((k) => k.enc === ""), dataKey, opts.registry, now, opts.path);
    return [group];
  }
  const secrets = groupSecrets(dataKey, wanted.length, threshold, opts.randomBytes);
  for (const [i, group] of wanted.entries()) await wrapGroup(group, secrets[i] ?? dataKey, opts.registry, now, opts.path);
  return wanted;
}

/**
 * Bring the file's keys in line with `keyGroups`.
 * @throws SigilError `decrypt.not_encrypted`, `decrypt.invalid_metadata`, `decrypt.no_matching_key`
 *   (the current data key is needed), `provider.not_configured`, and provider errors.
 */
export async function updateKeysFile(bytes: Uint8Array, options: Partial<UpdateKeysOptions> & { registry: ProviderRegistry }): Promise<UpdateKeysResult> {
  const opts: UpdateKeysOptions = { ...defaultUpdateKeysOptions(options.registry), ...options };
  const subject = opts.path;
  if (opts.keyGroups.length === 0 || opts.keyGroups.some((g) => g.length === 0)) {
    throw new SigilError("provider.not_configured", "the creation rule has no keys", { subject });
  }
  const { store, branches, metadata: md } = openEncrypted(bytes, opts);
  const wanted: KeyGroup[] = opts.keyGroups.map((g) => g.map(masterKeyFromRef));
  const threshold = wantedThreshold(wanted.length, opts.shamirThreshold);
  const before = ids(md.keyGroups);
  const after = ids(wanted);
  const added = wanted.flat().filter((k) => !before.has(keyIdentity(k))).map(describeKey);
  const removed = md.keyGroups.flat().filter((k) => !after.has(keyIdentity(k))).map(describeKey);
  if (sameGroups(md.keyGroups, wanted) && threshold === wantedThreshold(md.keyGroups.length, md.shamirThreshold)) {
    return { changed: false, added: [], removed: [], output: bytes };
  }
  const groups = await rewrap(md, wanted, threshold, opts);
  const updated: SopsMetadata = { ...md, keyGroups: groups, shamirThreshold: threshold };
  const output = store.emitEncrypted(embedMetadata(branches, metadataToTree(updated), store.layout, subject), subject);
  return { changed: true, added, removed, output };
}
