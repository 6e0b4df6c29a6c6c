/** Go durations (`1m`, `1h30m`, `500ms`, `0`) as the CRDs take them: the core parser, refusing negative ones. */
import { SigilError, parseGoDuration as parseAnyGoDuration } from "../../core/index.js";

/**
 * A non-negative Go duration in milliseconds.
 * @throws SigilError `input.invalid` naming `field`.
 */
export function parseGoDuration(text: string, field: string): number {
  const ms = parseAnyGoDuration(text, field);
  if (ms < 0) throw new SigilError("input.invalid", `${field}: a duration cannot be negative`, { subject: field });
  return ms;
}
