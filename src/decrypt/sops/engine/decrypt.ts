/**
 * Decryption (docs/formats.md#a14-decrypt-and-encrypt-step-by-step): parse, take out the metadata, recover the data key,
 * decrypt every encrypted leaf while hashing the MAC, and verify the MAC
 * before anything is returned.
 */
import { SigilError, registerSecret } from "../../../core/index.js";
import type { ProviderRegistry } from "../../../providers/index.js";
import { normalizeLastModified } from "../codec/go-time.js";
import { MacBuilder } from "../codec/mac.js";
import { ValueCipher, plaintextBytes } from "../codec/value.js";
import type { PlainLeaf } from "../codec/value.js";
import type { SopsMetadata } from "../metadata/model.js";
import { storeFor } from "../stores/index.js";
import type { SopsFormat } from "../stores/index.js";
import { Comment } from "../tree/model.js";
import type { Branches } from "../tree/model.js";
import { compileRule } from "../tree/rules.js";
import { walkBranches } from "../tree/walk.js";
import { recoverDataKey } from "./datakey.js";
import { openEncrypted } from "./open.js";
import type { OpenedFile } from "./open.js";
import { DEFAULT_MAX_ENCRYPTED_BYTES, defaultCommonOptions } from "./options.js";
import type { CommonOptions } from "./options.js";

export interface DecryptOptions extends CommonOptions {
  /**
   * Return plaintext even when the MAC does not match. Dangerous: the file
   * may have been tampered with. Only `sigil decrypt --ignore-mac` sets it.
   */
  readonly dangerouslySkipMacCheck: boolean;
  /** Format of the decrypted output (default: the input format). */
  readonly outputFormat: SopsFormat | undefined;
}

export function defaultDecryptOptions(registry: ProviderRegistry): DecryptOptions {
  return { ...defaultCommonOptions(registry), maxInputBytes: DEFAULT_MAX_ENCRYPTED_BYTES, dangerouslySkipMacCheck: false, outputFormat: undefined };
}

/** A decrypted file. */
export interface DecryptResult {
  /** The plaintext file, as `sops -d` prints it. */
  readonly plaintext: Uint8Array;
  /** The decrypted tree (for `--extract` and re-encryption). */
  readonly branches: Branches;
  /** The file's metadata. */
  readonly metadata: SopsMetadata;
  readonly format: SopsFormat;
}

function str(v: PlainLeaf): string {
  return typeof v === "string" ? v : Buffer.from(plaintextBytes(v)).toString("utf8");
}

/**
 * Decrypt the leaves of `branches` in place and return the MAC computed over them.
 * @throws SigilError `decrypt.invalid_ciphertext` / `decrypt.mac_mismatch` for a bad value.
 */
function decryptTree(branches: Branches, md: SopsMetadata, cipher: ValueCipher, subject: string | undefined): string {
  const mac = new MacBuilder(md.macOnlyEncrypted);
  walkBranches(
    branches,
    compileRule(md.rules, subject),
    (leaf, aad, encrypted, isComment) => {
      let out: PlainLeaf = leaf;
      if (encrypted && isComment) return decryptComment(leaf as Comment, aad, cipher);
      if (encrypted) {
        if (typeof leaf !== "string") {
          throw new SigilError("decrypt.invalid_ciphertext", `the value at '${aad.slice(0, -1)}' should be encrypted but is a plain ${typeof leaf}`, { subject });
        }
        if (leaf !== "") {
          out = cipher.decrypt(leaf, aad);
          registerSecret(str(out));
        }
      }
      if (!isComment) mac.add(plaintextBytes(out), encrypted);
      return out;
    },
    subject,
  );
  return mac.digest();
}

function decryptComment(c: Comment, aad: string, cipher: ValueCipher): PlainLeaf {
  if (c.value === "") return c;
  try {
    const out = cipher.decrypt(c.value, aad);
    if (out instanceof Comment) registerSecret(out.value);
    if (out instanceof Comment || typeof out === "string") return out;
    return c;
  } catch {
    // sops keeps comments that do not decrypt (files from before comments were encrypted)
    return c;
  }
}

/**
 * Compare the file's MAC with the computed one.
 * @throws SigilError `decrypt.mac_mismatch` when the MAC is missing, cannot be decrypted
 *   (e.g. `lastmodified` changed) or differs.
 */
function verifyMac(md: SopsMetadata, computed: string, cipher: ValueCipher, subject: string | undefined): void {
  const aad = normalizeLastModified(md.lastModified) ?? md.lastModified;
  if (md.mac === "") throw new SigilError("decrypt.mac_mismatch", "the file has no MAC", { subject });
  let stored: string;
  try {
    stored = cipher.decryptBytes(md.mac, aad).bytes.toString("utf8");
  } catch {
    // no cause: its message would call lastmodified "the value at '<timestamp>'"
    throw new SigilError("decrypt.mac_mismatch", "the MAC could not be decrypted: the MAC or the lastmodified timestamp was changed", { subject });
  }
  if (stored !== computed) throw new SigilError("decrypt.mac_mismatch", "the MAC does not match the file's contents: the file was modified", { subject });
}

/**
 * Recover the data key and decrypt `file`'s values in place, then verify the
 * MAC unless `checkMac` is false.
 * @throws SigilError `decrypt.no_matching_key`, `decrypt.unknown_provider`,
 *   `decrypt.invalid_ciphertext`, `decrypt.mac_mismatch`.
 */
export async function decryptOpened(file: OpenedFile, opts: CommonOptions, checkMac: boolean): Promise<void> {
  const { branches, metadata: md } = file;
  const subject = opts.path;
  const dataKey = await recoverDataKey(md, { registry: opts.registry, cache: opts.cache, order: opts.decryptionOrder, subject });
  const cipher = new ValueCipher(dataKey, { subject });
  const computed = decryptTree(branches, md, cipher, subject);
  if (checkMac) verifyMac(md, computed, cipher, subject);
}

/**
 * Decrypt a sops file.
 * @throws SigilError `input.too_large`, `decrypt.parse_failed`, `decrypt.not_encrypted` (no
 *   metadata), `decrypt.invalid_metadata`, `decrypt.no_matching_key`, `decrypt.unknown_provider`,
 *   `decrypt.invalid_ciphertext`, `decrypt.mac_mismatch`. Messages never contain plaintext.
 */
export async function decryptFile(bytes: Uint8Array, options: Partial<DecryptOptions> & { registry: ProviderRegistry }): Promise<DecryptResult> {
  const opts: DecryptOptions = { ...defaultDecryptOptions(options.registry), ...options };
  const file = openEncrypted(bytes, opts);
  await decryptOpened(file, opts, !opts.dangerouslySkipMacCheck);
  if (opts.dangerouslySkipMacCheck) opts.logger?.warn("the MAC was not checked (--ignore-mac)", { subject: opts.path });
  const outFormat = opts.outputFormat ?? file.store.format;
  const plaintext = storeFor(outFormat, opts.store).emitPlain(file.branches, opts.path);
  return { plaintext, branches: file.branches, metadata: file.metadata, format: outFormat };
}
