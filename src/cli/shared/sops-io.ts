/**
 * Input and output for the sops-compatible commands: read a file (or stdin
 * for `-`), pick formats, and write results. `--in-place` and `--output`
 * go through the CLI's one file writer (`write-files.ts`): the target is
 * checked before the input is even decrypted, and replaced atomically
 * through symbolic links, keeping its owner and mode, so nothing is written
 * when a command fails.
 */
import { readFileSync, statSync } from "node:fs";
import { SigilError } from "../../core/index.js";
import { detectFormat, parseFormat } from "../../decrypt/index.js";
import type { SopsFormat } from "../../decrypt/index.js";
import type { CliContext } from "../context.js";
import { readAtMost } from "../context.js";
import { tooLarge } from "./byte-size.js";
import { checkOutputTarget } from "./output-target.js";
import { isStandardStreamPath, standardStreamFor } from "./standard-streams.js";
import { userPath } from "./user-files.js";
import { writeOutputFile } from "./write-files.js";

/** Flags every sops-style command shares. */
export interface IoFlags {
  readonly inputType?: string | undefined;
  readonly outputType?: string | undefined;
  readonly inPlace?: boolean | undefined;
  readonly output?: string | undefined;
  readonly filenameOverride?: string | undefined;
}

/** An input file as read. */
export interface Input {
  readonly bytes: Buffer;
  /** Absolute path, or undefined for stdin. */
  readonly path: string | undefined;
  /** The name used for format detection and creation-rule matching. */
  readonly name: string | undefined;
}

/**
 * Read the input file, or stdin when `file` is `-` or missing. Nothing over
 * `maxBytes` is read into memory: a larger file is refused from its size,
 * and stdin is read only up to one byte past the limit.
 * @throws SigilError `input.not_found` when the file cannot be read,
 *   `input.too_large` (naming the file and the limit) when it is too big.
 */
export async function readInput(ctx: CliContext, file: string | undefined, flags: IoFlags, maxBytes: number): Promise<Input> {
  await checkOutputFlags(ctx, file, flags);
  const override = flags.filenameOverride === undefined ? undefined : userPath(ctx, flags.filenameOverride);
  if (file === undefined || file === "-") {
    const bytes = await readAtMost(ctx.stdin, maxBytes + 1);
    if (bytes.length > maxBytes) throw tooLarge(override ?? "stdin", undefined, maxBytes);
    return { bytes, path: undefined, name: override };
  }
  const path = userPath(ctx, file);
  let bytes: Buffer;
  try {
    // Synchronous: one file per call, and node:fs/promises would load Node's
    // streams and readline layers at start-up (docs/benchmarks.md, start-up).
    const size = statSync(path).size;
    if (size > maxBytes) throw tooLarge(file, size, maxBytes);
    bytes = readFileSync(path);
  } catch (cause) {
    if (cause instanceof SigilError) throw cause;
    throw new SigilError("input.not_found", "the file could not be read", { subject: file, cause });
  }
  if (bytes.length > maxBytes) throw tooLarge(file, bytes.length, maxBytes);
  return { bytes, path, name: override ?? path };
}

/** The input and output formats: the type flags, else by the file name's extension (YAML for stdin). */
export function formatsFor(input: Input, flags: IoFlags): { input: SopsFormat; output: SopsFormat } {
  const detected = input.name === undefined ? "yaml" : detectFormat(input.name);
  const inFormat = flags.inputType === undefined ? detected : parseFormat(flags.inputType);
  const outFormat = flags.outputType === undefined ? inFormat : parseFormat(flags.outputType);
  return { input: inFormat, output: outFormat };
}

/**
 * Refuse contradictory output flags, and an output that cannot be written,
 * before any work is done (sops refuses `--in-place` with `--output` too).
 * @throws SigilError `input.conflicting_flags` for `-i` with `--output` or
 *   with stdin; as `checkOutputTarget` for the target.
 */
async function checkOutputFlags(ctx: CliContext, file: string | undefined, flags: IoFlags): Promise<void> {
  if (flags.inPlace !== true) {
    if (flags.output !== undefined && !isStandardStreamPath(flags.output)) await checkOutputTarget(userPath(ctx, flags.output));
    return;
  }
  if (flags.output !== undefined) throw new SigilError("input.conflicting_flags", "cannot use --in-place and --output together");
  if (file === undefined || file === "-") throw new SigilError("input.conflicting_flags", "--in-place needs a file, not stdin");
  await checkOutputTarget(userPath(ctx, file));
}

/**
 * Replace `path` with `bytes` through the CLI's file writer.
 * @throws SigilError as `writeOutputFile` (the original stays intact).
 */
export async function writeAtomic(ctx: CliContext, path: string, bytes: Uint8Array): Promise<void> {
  await writeOutputFile({ path, content: bytes }, ctx.writeOptions);
}

/** Write the result: in place, to `--output` (`-` and `/dev/stdout` mean stdout), or to stdout. */
export async function writeResult(ctx: CliContext, input: Input, flags: IoFlags, bytes: Uint8Array): Promise<void> {
  if (flags.inPlace === true) {
    if (input.path === undefined) throw new SigilError("input.conflicting_flags", "--in-place needs a file, not stdin");
    await writeAtomic(ctx, input.path, bytes);
  } else if (flags.output === undefined) {
    ctx.stdout.write(bytes);
  } else {
    const stream = standardStreamFor(ctx, flags.output);
    if (stream === undefined) await writeAtomic(ctx, userPath(ctx, flags.output), bytes);
    else stream.write(bytes);
  }
}
