/** Options shared by the engine verbs, with their named defaults. */
import { randomBytes } from "node:crypto";
import { SigilError } from "../../../core/index.js";
import type { Logger } from "../../../core/index.js";
import type { ProviderRegistry } from "../../../providers/index.js";
import type { KeyType } from "../metadata/model.js";
import { detectFormat } from "../stores/index.js";
import type { SopsFormat, StoreOptions } from "../stores/index.js";
import { DEFAULT_DECRYPTION_ORDER, defaultDataKeyCache } from "./datakey.js";
import type { DataKeyCache } from "./datakey.js";

/** The input size limit applied unless configured: 5 MiB (for encrypt, of the plaintext). */
export const DEFAULT_MAX_INPUT_BYTES = 5 * 1024 * 1024;

/**
 * How much larger than its input limit an encrypted file may be: encrypt
 * refuses to write more than this times its limit, and the commands that read
 * encrypted files default to this times DEFAULT_MAX_INPUT_BYTES, so that
 * whatever encrypt writes with a limit, decrypt reads with the same factor.
 */
export const ENCRYPTED_SIZE_FACTOR = 4;

/** The default limit of decrypt, rotate and updatekeys (encrypted input): 20 MiB. */
export const DEFAULT_MAX_ENCRYPTED_BYTES = ENCRYPTED_SIZE_FACTOR * DEFAULT_MAX_INPUT_BYTES;

export interface CommonOptions {
  /** The file's path: names it in errors and picks the format when `format` is not given. */
  readonly path: string | undefined;
  /** Input format (default: from `path`'s extension, else YAML). */
  readonly format: SopsFormat | undefined;
  /** The key providers. */
  readonly registry: ProviderRegistry;
  /** Refuse inputs larger than this many bytes (`input.too_large`). */
  readonly maxInputBytes: number;
  /** Store settings (indentation, alias bound). */
  readonly store: Partial<StoreOptions>;
  /** Unwrapped data keys by wrapped key (default: one cache per process). */
  readonly cache: DataKeyCache;
  /** Key types tried first inside each group (default age, then pgp). */
  readonly decryptionOrder: readonly KeyType[];
  /** Where non-secret diagnostics go (default: nowhere). */
  readonly logger: Logger | undefined;
  /** Clock for `lastmodified` and `created_at`. */
  readonly now: () => Date;
  /** Randomness for data keys, IVs and Shamir coefficients. */
  readonly randomBytes: (size: number) => Uint8Array;
}

export function defaultCommonOptions(registry: ProviderRegistry): CommonOptions {
  return {
    path: undefined,
    format: undefined,
    registry,
    maxInputBytes: DEFAULT_MAX_INPUT_BYTES,
    store: {},
    cache: defaultDataKeyCache,
    decryptionOrder: DEFAULT_DECRYPTION_ORDER,
    logger: undefined,
    now: () => new Date(),
    randomBytes,
  };
}

/** The format to use for an input. */
export function inputFormat(opts: Pick<CommonOptions, "format" | "path">): SopsFormat {
  return opts.format ?? (opts.path === undefined ? "yaml" : detectFormat(opts.path));
}

/** @throws SigilError `input.too_large` when `bytes` exceeds the limit. */
export function checkSize(bytes: Uint8Array, opts: Pick<CommonOptions, "maxInputBytes" | "path">): void {
  if (bytes.length > opts.maxInputBytes) {
    throw new SigilError("input.too_large", `the input is ${bytes.length} bytes, more than the limit of ${opts.maxInputBytes} bytes`, { subject: opts.path });
  }
}
