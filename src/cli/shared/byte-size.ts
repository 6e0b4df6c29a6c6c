/**
 * Input size limits, shared by the sops-compatible and the sealed-secrets
 * commands: a size as the user writes it, and the error for an input over
 * the limit. A size is a whole number of bytes, optionally with a unit:
 * `5000000`, `512KiB`, `10MiB`, `1GiB` (powers of 1024) or `500KB`, `10MB`,
 * `1GB` (powers of 1000).
 */
import { SigilError } from "../../core/index.js";

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
 * The error for an input over the limit: names the file and the limit, and
 * the size when it is known (`undefined` for stdin, read only one byte past
 * the limit).
 */
export function tooLarge(subject: string, size: number | undefined, limit: number): SigilError {
  const what = size === undefined ? "the input is more than" : `the input is ${size} bytes, more than`;
  return new SigilError("input.too_large", `${what} the limit of ${limit} bytes (raise it with --max-input-size)`, { subject });
}
