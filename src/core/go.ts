/**
 * Go's spellings of booleans and durations, as Go programs read them from
 * flags and environment variables (`strconv.ParseBool`,
 * `time.ParseDuration`). Sigil takes the same values where it stands in for
 * a Go tool (sops, kubeseal, the sealed-secrets controller, Flux).
 */
import { SigilError } from "./errors.js";

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * Go `strconv.ParseBool`.
 * @throws SigilError `input.invalid` naming `what` (a flag or variable) when `text` is not one of Go's spellings.
 */
export function parseGoBool(text: string, what: string): boolean {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new SigilError("input.invalid", `${what} must be true or false, got '${text}'`, { subject: what });
}

/** True when `value` is one of Go's spellings of true; false when unset or anything else (how Go tools read optional switches such as `VAULT_SKIP_VERIFY`). */
export function isGoTrue(value: string | undefined): boolean {
  return value !== undefined && TRUE.has(value);
}

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Longest duration text read (Go durations fit in far less). */
const MAX_DURATION_LENGTH = 64;

/**
 * Go `time.ParseDuration` (`720h`, `1h30m`, `1.5s`, `500ms`, `-2m`, `0`), in
 * milliseconds (fractions of a millisecond kept).
 * @throws SigilError `input.invalid` naming `what` when `text` is not a Go duration.
 */
export function parseGoDuration(text: string, what: string): number {
  const value = scanDuration(text.trim());
  if (value === undefined) throw new SigilError("input.invalid", `${what}: '${text.slice(0, MAX_DURATION_LENGTH)}' is not a duration such as 720h, 30m, 1.5s or 0`, { subject: what });
  return value;
}

/** The scanner behind {@link parseGoDuration}: undefined when `s` is not a duration. Linear in the length; no regular expression. */
function scanDuration(s: string): number | undefined {
  if (s.length === 0 || s.length > MAX_DURATION_LENGTH) return undefined;
  let i = 0;
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    sign = s[0] === "-" ? -1 : 1;
    i = 1;
  }
  if (s.slice(i) === "0") return 0;
  if (i === s.length) return undefined;
  let total = 0;
  while (i < s.length) {
    const start = i;
    while (i < s.length && isDigitOrDot(s.charAt(i))) i++;
    const number = s.slice(start, i);
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(number)) return undefined;
    const unitStart = i;
    while (i < s.length && !isDigitOrDot(s.charAt(i))) i++;
    const unit = UNIT_MS[s.slice(unitStart, i)];
    if (unit === undefined) return undefined;
    total += Number(number) * unit;
  }
  return sign * total;
}

function isDigitOrDot(c: string): boolean {
  return c === "." || (c >= "0" && c <= "9");
}

/**
 * Go `time.Duration.String()` of `ms` milliseconds (`1h0m0s`, `5m0s`,
 * `1.5s`, `500ms`, `0s`): how Go programs write a duration back, e.g. a
 * `metav1.Duration` field after a round trip through Go types.
 */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${trimNumber(abs)}ms`;
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = (abs % 60_000) / 1000;
  return `${sign}${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${trimNumber(s)}s`;
}

function trimNumber(n: number): string {
  return String(Number(n.toFixed(9)));
}
