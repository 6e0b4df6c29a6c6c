/** Writing key material: never over an existing file unless forced, private files mode 0600, several files all or none. */
import { SigilError, parseGoDuration } from "../../../core/index.js";
import type { CliContext } from "../../context.js";
import { checkOutputFiles, writeOutputFiles } from "../../shared/index.js";
import type { OutputFile } from "../../shared/index.js";

/** One key file to write. */
export interface KeyFile {
  readonly path: string;
  readonly content: string;
  /** Private key material: mode 0600, even when an existing file is replaced (a new inode, never the old file's looser mode). */
  readonly private: boolean;
}

function outputFile(file: KeyFile, force: boolean): OutputFile {
  return { path: file.path, content: file.content, mode: file.private ? 0o600 : 0o644, forceMode: file.private, exclusive: !force };
}

/**
 * Check every key file's target before any key is generated: none may exist
 * (without `force`), and each must be a regular file or absent.
 * @throws SigilError `output.exists` naming the first existing file, or as `checkOutputFiles`.
 */
export async function checkKeyFiles(paths: readonly string[], force: boolean): Promise<void> {
  await checkOutputFiles(paths.map((path) => ({ path, exclusive: !force })));
}

/**
 * Write the key files: all of them, or (on any failure) none.
 * @throws SigilError `output.exists` naming a file that exists (without `force`), or as `writeOutputFiles`.
 */
export async function writeKeyFiles(ctx: CliContext, files: readonly KeyFile[], force: boolean): Promise<void> {
  await writeOutputFiles(files.map((f) => outputFile(f, force)), ctx.writeOptions);
}

/**
 * A positive Go duration such as `87600h`, `720h30m` or `90s`, in milliseconds.
 * @throws SigilError `input.invalid` naming the flag for anything else, or a non-positive duration.
 */
export function parsePositiveDuration(text: string, flag: string): number {
  const ms = parseGoDuration(text, flag);
  if (ms <= 0) throw new SigilError("input.invalid", `${flag}: duration '${text}' must be positive`);
  return ms;
}
