/** Writing key material: never over an existing file unless forced, private files mode 0600. */
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { SigilError } from "../../../core/index.js";

/**
 * Write `content` to `path`. With `force`, an existing file is replaced by a
 * new one (a sibling temporary file, then a rename), so a private key never
 * lands in an old file's inode and keeps its looser mode.
 * @throws SigilError `input.invalid` naming the file when it exists (without `force`) or cannot be written.
 */
export async function writeKeyFile(path: string, content: string, options: { private: boolean; force: boolean }): Promise<void> {
  const mode = options.private ? 0o600 : 0o644;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    if (!options.force) {
      await writeFile(path, content, { mode, flag: "wx" });
      return;
    }
    await writeFile(temp, content, { mode, flag: "wx" });
    await rename(temp, path);
  } catch (cause) {
    if (options.force) await rm(temp, { force: true });
    const exists = (cause as { code?: unknown }).code === "EEXIST";
    throw new SigilError("input.invalid", exists ? "refusing to overwrite an existing file (pass --force)" : "could not write the file", {
      subject: path,
      cause,
    });
  }
}

/**
 * Parse a Go duration such as `87600h`, `720h30m` or `90s`, in milliseconds.
 * @throws SigilError `input.invalid` for anything else, or a non-positive duration.
 */
export function parseGoDuration(text: string): number {
  const units: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new SigilError("input.invalid", `'${text}' is not a duration such as 87600h or 720h30m`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ""] ?? 0), 0);
  if (ms <= 0) throw new SigilError("input.invalid", `duration '${text}' must be positive`);
  return ms;
}
