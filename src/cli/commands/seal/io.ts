/**
 * Input and output for the sealed-secrets commands: the input manifest from
 * `-f` or stdin, and output to stdout or to a `-w` file that is checked
 * before any work is done and replaced atomically (through the CLI's one
 * file writer, keeping its owner and mode), only when the command succeeds.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, isAbsolute, resolve } from "node:path";
import { SigilError, UNSEAL_MAX_INPUT_BYTES } from "../../../core/index.js";
import { parseOutputFormat } from "../../../decrypt/sealed-secrets/index.js";
import type { OutputFormat } from "../../../decrypt/sealed-secrets/index.js";
import { readAtMost } from "../../context.js";
import type { CliContext } from "../../context.js";
import { checkOutputTarget, standardStreamFor, writeOutputFile } from "../../shared/index.js";

/** A path the user gave, resolved against the command's working directory (never `process.cwd()`). */
export function userPath(ctx: Pick<CliContext, "cwd">, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

/** `userPath` for an optional flag value. */
export function optionalPath(ctx: Pick<CliContext, "cwd">, path: string | undefined): string | undefined {
  return path === undefined || path === "" ? path : userPath(ctx, path);
}

/**
 * Read a file the user named.
 * @throws SigilError `input.not_found` naming the file and the flag.
 */
export async function readUserFile(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new SigilError("input.not_found", `could not read the file given with ${flag}`, { subject: path, cause });
  }
}

/**
 * The input text: `-f FILE`, or stdin. Nothing over `maxBytes` is read into
 * memory (the default covers SealedSecrets; `seal` passes its own limit).
 * @throws SigilError `input.too_large` naming the file or `<stdin>`; `input.not_found`.
 */
export async function readInput(ctx: CliContext, file: string | undefined, maxBytes: number = UNSEAL_MAX_INPUT_BYTES): Promise<{ text: string; source: string }> {
  if (file !== undefined && file !== "") {
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size > maxBytes) throw tooLarge(file, `the input is ${size} bytes, more than`, maxBytes);
    return { text: (await readUserFile(file, "-f")).toString("utf8"), source: file };
  }
  const bytes = await readAtMost(ctx.stdin, maxBytes + 1);
  if (bytes.length > maxBytes) throw tooLarge("<stdin>", "the input is more than", maxBytes);
  return { text: bytes.toString("utf8"), source: "<stdin>" };
}

function tooLarge(subject: string, what: string, limit: number): SigilError {
  return new SigilError("input.too_large", `${what} the limit of ${limit} bytes (raise it with --max-input-size)`, { subject });
}

/**
 * The output format: `-o` (default json), forced to yaml when the `-w` file ends in `.yaml`/`.yml`.
 * @throws SigilError `input.invalid` for an unknown format.
 */
export function outputFormat(format: string | undefined, outputFile: string | undefined): OutputFormat {
  const ext = outputFile === undefined ? "" : extname(outputFile);
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  return parseOutputFormat(format ?? "json");
}

/** Where a command's output goes. Nothing reaches a `-w` file until `commit()`. */
export interface Output {
  write(text: string): void;
  commit(): Promise<void>;
}

/** The mode of files that hold plaintext (`unseal -w`, `seal --recovery-unseal -w`): the owner's only. */
export const PLAINTEXT_FILE_MODE = 0o600;

/**
 * Replace (or create) `path` with `content` through the CLI's file writer:
 * an existing file keeps its owner and mode, a new one gets `mode`
 * (default: 0666 less the umask).
 * @throws SigilError as `writeOutputFile`.
 */
export async function replaceFile(ctx: CliContext, path: string, content: string, mode?: number): Promise<void> {
  await writeOutputFile({ path, content, mode }, ctx.writeOptions);
}

/**
 * Output to `file` (when given; a new file is created with `mode`) or
 * stdout. The file is checked now, before the command does any work.
 * @throws SigilError as `checkOutputTarget`.
 */
export async function openOutput(ctx: CliContext, file: string | undefined, mode?: number): Promise<Output> {
  const stream = file === undefined || file === "" ? ctx.stdout : standardStreamFor(ctx, file);
  if (stream !== undefined) return { write: (text) => void stream.write(text), commit: () => Promise.resolve() };
  await checkOutputTarget(file ?? "");
  const parts: string[] = [];
  return { write: (text) => void parts.push(text), commit: () => replaceFile(ctx, file ?? "", parts.join(""), mode) };
}
