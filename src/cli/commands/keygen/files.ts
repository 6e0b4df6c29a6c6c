/** Writing key material: never over an existing file unless forced, private files mode 0600. */
import { writeFile } from "node:fs/promises";
import { SigilError, parseGoDuration } from "../../../core/index.js";
import { replaceFile } from "../seal/io.js";

/**
 * Write `content` to `path`. With `force`, an existing file is replaced by a
 * new one (a sibling temporary file, then a rename), so a private key never
 * lands in an old file's inode and keeps its looser mode.
 * @throws SigilError `input.invalid` naming the file when it exists (without `force`) or cannot be written.
 */
export async function writeKeyFile(path: string, content: string, options: { private: boolean; force: boolean }): Promise<void> {
  const mode = options.private ? 0o600 : 0o644;
  if (options.force) {
    await replaceFile(path, content, mode);
    return;
  }
  try {
    await writeFile(path, content, { mode, flag: "wx" });
  } catch (cause) {
    const exists = (cause as { code?: unknown }).code === "EEXIST";
    throw new SigilError("input.invalid", exists ? "refusing to overwrite an existing file (pass --force)" : "could not write the file", { subject: path, cause });
  }
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
