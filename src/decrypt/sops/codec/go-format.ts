/**
 * Number and boolean text forms exactly as Go's `strconv` (and the encoders
 * sops uses) write and read them. JavaScript's `String(n)` differs: it uses
 * exponent notation at different thresholds and never writes `+Inf`.
 */

interface Digits {
  readonly neg: boolean;
  /** Shortest round-trip decimal digits, no leading zeros ("0" for zero). */
  readonly digits: string;
  /** Position of the decimal point relative to the digits (Go `decimal.dp`). */
  readonly dp: number;
}

function shortestDigits(v: number): Digits {
  const neg = v < 0 || Object.is(v, -0);
  const e = Math.abs(v).toExponential();
  const at = e.indexOf("e");
  const mantissa = e.slice(0, at).replace(".", "");
  const exp = Number(e.slice(at + 1));
  if (mantissa === "0") return { neg, digits: "0", dp: 1 };
  return { neg, digits: mantissa, dp: exp + 1 };
}

function nonFinite(v: number): string | undefined {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return undefined;
}

function fixedForm(d: Digits): string {
  const sign = d.neg ? "-" : "";
  if (d.digits === "0") return `${sign}0`;
  if (d.dp <= 0) return `${sign}0.${"0".repeat(-d.dp)}${d.digits}`;
  if (d.dp >= d.digits.length) return sign + d.digits + "0".repeat(d.dp - d.digits.length);
  return `${sign}${d.digits.slice(0, d.dp)}.${d.digits.slice(d.dp)}`;
}

function exponentForm(d: Digits): string {
  const sign = d.neg ? "-" : "";
  const mant = d.digits.length > 1 ? `${d.digits[0] ?? ""}.${d.digits.slice(1)}` : d.digits;
  const exp = d.digits === "0" ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return `${sign}${mant}e${exp < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
}

/** Go `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent. */
export function formatFloatF(v: number): string {
  return nonFinite(v) ?? fixedForm(shortestDigits(v));
}

/**
 * Go `strconv.FormatFloat(v, 'g', -1, 64)`: shortest digits; exponent form
 * when the decimal exponent is below -4 or at least 6 (Go uses precision 6
 * for this decision in shortest mode), e.g. `1.2345678e+06`, `1e-05`.
 */
export function formatFloatG(v: number): string {
  const nf = nonFinite(v);
  if (nf !== undefined) return nf;
  const d = shortestDigits(v);
  const exp = d.digits === "0" ? 0 : d.dp - 1;
  return exp < -4 || exp >= 6 ? exponentForm(d) : fixedForm(d);
}

/** A float as go-yaml v3 writes it: `'g'` shortest, with `.inf`, `-.inf`, `.nan`. */
export function formatFloatYaml(v: number): string {
  if (Number.isNaN(v)) return ".nan";
  if (v === Infinity) return ".inf";
  if (v === -Infinity) return "-.inf";
  return formatFloatG(v);
}

/** A float as Go `encoding/json` writes it (`'f'`, or `'e'` below 1e-6 / from 1e21; `e-7` not `e-07`). */
export function formatFloatJson(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError("json: unsupported value");
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

/** Go `strconv.ParseFloat(s, 64)` for the forms sops meets. Returns undefined when Go would fail. */
export function parseGoFloat(s: string): number | undefined {
  const lower = s.toLowerCase();
  const sign = lower.startsWith("-") ? -1 : 1;
  const body = lower.replace(/^[+-]/, "");
  if (body === "inf" || body === "infinity") return sign * Infinity;
  if (body === "nan") return NaN;
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(body)) return Number(s);
  if (/^0x/.test(body)) return hexFloat(body, sign);
  return undefined;
}

function hexFloat(body: string, sign: number): number | undefined {
  const m = /^0x([0-9a-f]*)\.?([0-9a-f]*)p([+-]?\d+)$/.exec(body);
  if (m === null || (m[1] === "" && m[2] === "")) return undefined;
  const int = m[1] ?? "";
  const frac = m[2] ?? "";
  const mant = parseInt(int + frac || "0", 16);
  return sign * mant * 2 ** (Number(m[3]) - 4 * frac.length);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go `strconv.Atoi` on 64-bit: optional sign, decimal digits, in int64 range. */
export function parseGoInt(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** True when `v` fits a signed 64-bit integer. */
export function fitsInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

/** Go `strconv.ParseBool`. */
export function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}
