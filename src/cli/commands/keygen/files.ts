/** Writing key material: never over an existing file unless forced, private files mode 0600. */
import { writeFile } from "node:fs/promises";
import { SigilError } from "../../../core/index.js";

/**
 * Write `content` to `path`.
 * @throws SigilError `input.invalid` naming the file when it exists (without `force`) or cannot be written.
 */
export async function writeKeyFile(path: string, content: string, options: { private: boolean; force: boolean }): Promise<void> {
  try {
    await writeFile(path, content, { mode: options.private ? 0o600 : 0o644, flag: options.force ? "w" : "wx" });
  } catch (cause) {
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
