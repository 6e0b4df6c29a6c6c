/**
 * Exit codes. Where sops has an exit code for the same failure, Sigil uses
 * the same number, so scripts written for `sops` keep working with
 * `alias sops=sigil`. The table is documented in docs/cli.md and
 * docs/cli/sops.md (sops' numbers: getsops/sops cmd/sops/codes/codes.go).
 */
import type { ErrorCode } from "../core/index.js";

export const EXIT_OK = 0;
export const EXIT_GENERIC = 1;
export const EXIT_USAGE = 2;

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  "input.not_found": 2, // sops: CouldNotReadInputFile
  "input.invalid": 1,
  "input.too_large": 1,
  "config.invalid": 5, // sops: ErrorReadingConfig
  "decrypt.parse_failed": 1,
  "input.conflicting_flags": 8, // sops: ErrorConflictingParameters
  "output.write_failed": 3, // sops: CouldNotWriteOutputFile
  "output.unsafe_target": 3, // sops: CouldNotWriteOutputFile
  "output.read_only": 3, // sops: CouldNotWriteOutputFile
  "output.closed": 141, // 128 + SIGPIPE: what a shell reports for sops or cat when the reader goes away
  "decrypt.mac_mismatch": 51, // sops: MacMismatch
  "decrypt.no_matching_key": 128, // sops: CouldNotRetrieveKey
  "decrypt.not_encrypted": 1, // sops: MetadataNotFound (generic)
  "decrypt.already_encrypted": 203, // sops: FileAlreadyEncrypted
  "decrypt.invalid_ciphertext": 25, // sops: ErrorDecryptingTree
  "decrypt.invalid_metadata": 1,
  "decrypt.unknown_provider": 128, // sops: CouldNotRetrieveKey (no usable key type)
  "provider.unreachable": 128,
  "provider.denied": 128,
  "provider.not_configured": 111, // sops: NoEncryptionKeyFound
  "sync.drift_found": 4, // sigil sync --dry-run: the cluster differs from the source
};

/** The process exit status for an error code. */
export function exitCodeFor(code: ErrorCode): number {
  return BY_CODE[code] ?? EXIT_GENERIC;
}

/** The documented table, for `docs/cli.md` and a test that keeps them in sync. */
export function exitCodeTable(): readonly (readonly [ErrorCode, number])[] {
  return Object.entries(BY_CODE).map(([code, exit]) => [code as ErrorCode, exit] as const);
}
