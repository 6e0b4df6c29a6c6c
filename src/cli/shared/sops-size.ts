/**
 * The input size limit of the sops-compatible commands: `--max-input-size`
 * or `SIGIL_SOPS_MAX_INPUT_BYTES` (default 5 MiB, the library's
 * `DEFAULT_MAX_INPUT_BYTES`), written as `byte-size.ts` reads sizes.
 */
import type { Command } from "commander";
import { DEFAULT_MAX_INPUT_BYTES } from "../../decrypt/index.js";
import type { CliContext } from "../context.js";
import { parseByteSize } from "./byte-size.js";

/** The size limit for `encrypt`, `decrypt`, `rotate` and `updatekeys` (as `--max-input-size`). */
export const SIGIL_SOPS_MAX_INPUT_BYTES_ENV = "SIGIL_SOPS_MAX_INPUT_BYTES";

/** `--max-input-size` as commander hands it over. */
export interface SizeFlags {
  readonly maxInputSize?: string | undefined;
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
