/**
 * The first steps every verb on an encrypted file shares: check the size,
 * parse with the input format's store, and take out the sops metadata.
 */
import { SigilError } from "../../../core/index.js";
import { extractMetadata } from "../metadata/embed.js";
import type { SopsMetadata } from "../metadata/model.js";
import { readMetadata } from "../metadata/read.js";
import { storeFor } from "../stores/index.js";
import type { Store } from "../stores/index.js";
import type { Branches } from "../tree/model.js";
import { checkSize, inputFormat } from "./options.js";
import type { CommonOptions } from "./options.js";

/** An encrypted file taken apart. */
export interface OpenedFile {
  /** The store of the input format. */
  readonly store: Store;
  /** The tree without its metadata; values still encrypted. */
  readonly branches: Branches;
  readonly metadata: SopsMetadata;
}

/**
 * Parse an encrypted file and read its metadata (nothing is decrypted).
 * @throws SigilError `input.too_large`, `decrypt.parse_failed`, `decrypt.not_encrypted` (no
 *   metadata), `decrypt.invalid_metadata`.
 */
export function openEncrypted(bytes: Uint8Array, opts: Pick<CommonOptions, "format" | "path" | "maxInputBytes" | "store">): OpenedFile {
  const subject = opts.path;
  checkSize(bytes, opts);
  const store = storeFor(inputFormat(opts), opts.store);
  const branches = store.parseEncrypted(bytes, subject);
  const mdTree = extractMetadata(branches, store.layout, subject);
  if (mdTree === undefined) throw new SigilError("decrypt.not_encrypted", "the file has no sops metadata: it is not encrypted", { subject });
  return { store, branches, metadata: readMetadata(mdTree, subject) };
}
