/**
 * The input size limit of the sops-compatible commands: `--max-input-size`
 * or `SIGIL_SOPS_MAX_INPUT_BYTES` (default 5 MiB, the library's
 * `DEFAULT_MAX_INPUT_BYTES`). A size is a whole number of bytes, optionally
 * with a unit: `5000000`, `512KiB`, `10MiB`, `1GiB` (powers of 1024) or
 * `500KB`, `10MB`, `1GB` (powers of 1000).
 */
import type { Command } from "commander";
import { SigilError } from "../../../core/index.js";
import { DEFAULT_MAX_INPUT_BYTES } from "../../../decrypt/index.js";
import type { CliContext } from "../../context.js";

/** The size limit for `encrypt`, `decrypt`, `rotate` and `updatekeys` (as `--max-input-size`). */
export const SIGIL_SOPS_MAX_INPUT_BYTES_ENV = "SIGIL_SOPS_MAX_INPUT_BYTES";

/** `--max-input-size` as commander hands it over. */
export interface SizeFlags {
  readonly maxInputSize?: string | undefined;
}

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const SIZE = /^(\d+)\s*([a-z]*)$/i;

/**
 * Parse a size such as `10MiB`, `500KB` or `5000000` into bytes.
 * @throws SigilError `input.invalid` naming `source` (the flag or variable)
 *   for anything else, for 0, and for sizes beyond 2^53 bytes.
 */
export function parseByteSize(text: string, source: string): number {
  const m = SIZE.exec(text.trim());
  const unit = UNITS[(m?.[2] ?? "").toLowerCase() || "b"];
  const bytes = m === null || unit === undefined ? Number.NaN : Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new SigilError("input.invalid", `invalid size '${text}': use a positive whole number of bytes, optionally with B, KiB, MiB, GiB, KB, MB or GB`, {
      subject: source,
    });
  }
  return bytes;
}

/**
 * The limit for this run: the flag, else the environment variable (read
 * from the context, which holds the environment as it was at start-up),
 * else `fallback`: 5 MiB for encrypt (plaintext), DEFAULT_MAX_ENCRYPTED_BYTES
 * (20 MiB) for the commands that read encrypted files.
 * @throws SigilError `input.invalid` for an unreadable size.
 */
export function maxInputBytes(ctx: CliContext, flags: SizeFlags, fallback: number = DEFAULT_MAX_INPUT_BYTES): number {
  if (flags.maxInputSize !== undefined) return parseByteSize(flags.maxInputSize, "--max-input-size");
  const env = ctx.env[SIGIL_SOPS_MAX_INPUT_BYTES_ENV];
  if (env !== undefined && env !== "") return parseByteSize(env, SIGIL_SOPS_MAX_INPUT_BYTES_ENV);
  return fallback;
}

/** Add `--max-input-size` to a command. */
export function addMaxInputSizeOption(cmd: Command): Command {
  return cmd.option(
    "--max-input-size <size>",
    `refuse inputs larger than this, e.g. 10MiB or 5000000 (env ${SIGIL_SOPS_MAX_INPUT_BYTES_ENV}; default 5MiB for encrypt, whose output may be at most 4 times that, and 20MiB for encrypted input)`,
  );
}

/**
 * The error for an input over the limit: names the file and the limit, and
 * the size when it is known (`undefined` for stdin, read only one byte past
 * the limit).
 */
export function tooLarge(subject: string, size: number | undefined, limit: number): SigilError {
  const what = size === undefined ? "the input is more than" : `the input is ${size} bytes, more than`;
  return new SigilError("input.too_large", `${what} the limit of ${limit} bytes (raise it with --max-input-size)`, { subject });
}
