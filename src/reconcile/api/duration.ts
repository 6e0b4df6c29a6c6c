/** Go durations (`1m`, `1h30m`, `500ms`, `0`) as the CRDs take them. */
import { SigilError } from "../../core/index.js";

const UNITS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|h|m|s)/g;

/**
 * A Go duration in milliseconds.
 * @throws SigilError `input.invalid` naming `field`.
 */
export function parseGoDuration(text: string, field: string): number {
  const trimmed = text.trim();
  if (trimmed === "0") return 0;
  if (trimmed.length > 64) throw new SigilError("input.invalid", `${field}: duration is too long`);
  const parts = [...trimmed.matchAll(PART)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) {
    throw new SigilError("input.invalid", `${field}: '${trimmed}' is not a duration such as 1m, 1h30m or 500ms`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] ?? ""] ?? 0), 0);
}
