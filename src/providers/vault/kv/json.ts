/**
 * JSON as Vault's Go client sees it: numbers keep their original text (the
 * client decodes with `UseNumber`), and serialization follows Go's
 * `encoding/json` (`json.Marshal`): object keys sorted, `<`, `>`, `&`,
 * U+2028 and U+2029 escaped. Parsing is bounded in size and depth.
 */
import { SigilError, jsonNestsDeeper } from "../../../core/index.js";

/** A JSON number with the text it had on the wire (Go's `json.Number`). */
export class JsonNumber {
  constructor(readonly text: string) {}
  /** The value as a float64 (Go's `float64` after a plain `json.Unmarshal`). */
  get value(): number {
    return Number(this.text);
  }
}

/** A parsed JSON value. */
export type JsonValue = string | boolean | null | JsonNumber | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Limits of {@link parseJson}. */
export interface JsonLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
}

export function defaultJsonLimits(): JsonLimits {
  return { maxBytes: 4 * 1024 * 1024, maxDepth: 64 };
}

/**
 * Parse JSON, keeping each number's text.
 * @throws SigilError `input.too_large` over `maxBytes` or `maxDepth`, `input.invalid` for malformed JSON.
 */
export function parseJson(text: string, subject: string, limits: JsonLimits = defaultJsonLimits()): JsonValue {
  if (Buffer.byteLength(text) > limits.maxBytes) throw new SigilError("input.too_large", `json over ${limits.maxBytes} bytes`, { subject });
  if (jsonNestsDeeper(text, limits.maxDepth)) throw new SigilError("input.too_large", `json nested deeper than ${limits.maxDepth}`, { subject });
  try {
    return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
      typeof value === "number" ? new JsonNumber(context?.source ?? String(value)) : value) as JsonValue;
  } catch {
    throw new SigilError("input.invalid", "the response is not valid json", { subject });
  }
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !(v instanceof JsonNumber) && !Array.isArray(v);
}

const GO_ESCAPES: Readonly<Record<string, string>> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };

/** A string as Go's json.Marshal writes it. */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/**
 * Serialize like Go's `json.Marshal`. With `numbersAsFloat`, numbers are
 * written as Go writes a float64 (what a plain `json.Unmarshal` makes of
 * them); otherwise with their original text (`json.Number`).
 */
export function goJsonMarshal(v: JsonValue, numbersAsFloat = false): string {
  if (v === null) return "null";
  if (typeof v === "string") return goJsonString(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof JsonNumber) return numbersAsFloat ? goFloatJson(v.value) : v.text;
  if (Array.isArray(v)) return `[${v.map((x) => goJsonMarshal(x, numbersAsFloat)).join(",")}]`;
  const keys = Object.keys(v).sort(compareGoStrings);
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonMarshal(v[k] ?? null, numbersAsFloat)}`).join(",")}}`;
}

/** Go sorts map keys by bytes (UTF-8), not UTF-16 code units. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A float64 as Go's encoding/json writes it (`'f'` format, `'e'` outside [1e-6, 1e21)). */
export function goFloatJson(f: number): string {
  const abs = Math.abs(f);
  // Go writes "1e-07" then trims it to "1e-7": the shortest form JavaScript prints too.
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return f.toExponential();
  return String(f);
}

/** `strconv.FormatFloat(f, 'f', -1, 64)`: the shortest digits, written without an exponent. */
export function goFormatFloat(f: number): string {
  if (!Number.isFinite(f)) return String(f);
  const s = String(f);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) return s === "-0" ? "-0" : s;
  const [, sign = "", lead = "", frac = "", expText = "0"] = m;
  const exp = Number(expText);
  const digits = lead + frac;
  if (exp >= 0) {
    const whole = digits.padEnd(exp + 1, "0");
    return sign + whole.slice(0, exp + 1) + (whole.length > exp + 1 ? "." + whole.slice(exp + 1) : "");
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}
