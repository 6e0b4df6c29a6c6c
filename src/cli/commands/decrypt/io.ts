/**
 * Input and output for the sops-compatible commands: read a file (or stdin
 * for `-`), pick formats, and write results. `--in-place` and `--output`
 * replace the target atomically (a temporary file in the same directory,
 * then a rename), so nothing is written when a command fails.
 */
import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { SigilError } from "../../../core/index.js";
import { detectFormat, parseFormat } from "../../../decrypt/index.js";
import type { SopsFormat } from "../../../decrypt/index.js";
import type { CliContext } from "../../context.js";
import { tooLarge } from "./size.js";

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

/** `file` relative to the command's working directory. */
export function absolute(ctx: CliContext, file: string): string {
  return isAbsolute(file) ? file : resolve(ctx.cwd, file);
}

/** Read a stream until its end or until `limit` bytes have arrived, whichever comes first. */
async function readAtMost(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    chunks.push(buf);
    total += buf.length;
    if (total >= limit) break;
  }
  return Buffer.concat(chunks);
}

/**
 * Read the input file, or stdin when `file` is `-` or missing. Nothing over
 * `maxBytes` is read into memory: a larger file is refused from its size,
 * and stdin is read only up to one byte past the limit.
 * @throws SigilError `input.not_found` when the file cannot be read,
 *   `input.too_large` (naming the file and the limit) when it is too big.
 */
export async function readInput(ctx: CliContext, file: string | undefined, flags: IoFlags, maxBytes: number): Promise<Input> {
  const override = flags.filenameOverride === undefined ? undefined : absolute(ctx, flags.filenameOverride);
  if (file === undefined || file === "-") {
    if (flags.inPlace === true) throw new SigilError("input.invalid", "--in-place needs a file, not stdin");
    const bytes = await readAtMost(ctx.stdin, maxBytes + 1);
    if (bytes.length > maxBytes) throw tooLarge(override ?? "stdin", undefined, maxBytes);
    return { bytes, path: undefined, name: override };
  }
  const path = absolute(ctx, file);
  let bytes: Buffer;
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) throw tooLarge(file, size, maxBytes);
    bytes = await readFile(path);
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
 * Replace `path` with `bytes` atomically, keeping an existing file's mode.
 * @throws SigilError `output.write_failed` when the file cannot be written (the original stays intact).
 */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.sigil-${randomBytes(6).toString("hex")}.tmp`);
  try {
    const mode = await stat(path).then(
      (s) => s.mode & 0o7777,
      () => undefined,
    );
    await writeFile(tmp, bytes, { mode: mode ?? 0o666, flag: "wx" });
    if (mode !== undefined) await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new SigilError("output.write_failed", "the output file could not be written", { subject: path, cause });
  }
}

/** Write the result: in place, to `--output`, or to stdout. */
export async function writeResult(ctx: CliContext, input: Input, flags: IoFlags, bytes: Uint8Array): Promise<void> {
  if (flags.inPlace === true) {
    if (input.path === undefined) throw new SigilError("input.invalid", "--in-place needs a file, not stdin");
    await writeAtomic(input.path, bytes);
  } else if (flags.output !== undefined) {
    await writeAtomic(absolute(ctx, flags.output), bytes);
  } else ctx.stdout.write(bytes);
}
