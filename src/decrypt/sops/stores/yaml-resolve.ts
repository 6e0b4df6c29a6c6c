/**
 * How go-yaml v3 types a plain scalar (its `resolve`), and which strings it
 * must quote when writing them so they read back as strings.
 */
import { fitsInt64, parseGoFloat } from "../codec/go-format.js";
import { parseYamlTimestamp } from "../codec/go-time.js";
import type { Scalar } from "../tree/model.js";

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const TRUES = new Set(["true", "True", "TRUE"]);
const FALSES = new Set(["false", "False", "FALSE"]);
const SPECIAL_FLOATS: Record<string, number> = {
  ".nan": NaN, ".NaN": NaN, ".NAN": NaN,
  ".inf": Infinity, ".Inf": Infinity, ".INF": Infinity,
  "+.inf": Infinity, "+.Inf": Infinity, "+.INF": Infinity,
  "-.inf": -Infinity, "-.Inf": -Infinity, "-.INF": -Infinity,
};
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const OLD_BOOLS = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]);
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

const HINT_CHARS = new Set(Array.from("+-0123456789.yYnNtTfFoO~", (c) => c.charCodeAt(0)));

/** A resolved plain scalar; `uint64` marks integers sops cannot hold (above int64). */
export type Resolved = { kind: "value"; value: Scalar } | { kind: "uint64"; text: string };

/** Go `strconv.ParseInt(s, 0, 64)` / `ParseUint` (underscores already removed). */
function parseGoIntBase0(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (m === null) return undefined;
  const body = m[2] ?? "0";
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt(`0o${body.slice(2)}`);
  else if (/^0[0-7]+$/.test(body)) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  return m[1] === "-" ? -v : v;
}

function resolveNumber(s: string): Resolved | undefined {
  const ts = parseYamlTimestamp(s);
  if (ts !== undefined) return { kind: "value", value: ts };
  const plain = s.replaceAll("_", "");
  const int = parseGoIntBase0(plain);
  if (int !== undefined) {
    if (fitsInt64(int)) return { kind: "value", value: int };
    if (int >= 0n && int < 2n ** 64n) return { kind: "uint64", text: s };
  }
  if (YAML_FLOAT.test(plain)) {
    const f = parseGoFloat(plain);
    // Go's ParseFloat fails with ErrRange beyond float64 (1e400), and go-yaml then keeps the string
    if (f !== undefined && Number.isFinite(f)) return { kind: "value", value: f };
  }
  return undefined;
}

/** Resolve an untagged plain scalar as go-yaml v3 does. */
export function resolvePlain(s: string): Resolved {
  const c0 = s.charCodeAt(0);
  // go-yaml's resolve table: only these first characters can start a non-string.
  if (s.length > 5 && !HINT_CHARS.has(c0)) return { kind: "value", value: s };
  if (NULLS.has(s)) return { kind: "value", value: null };
  if (TRUES.has(s)) return { kind: "value", value: true };
  if (FALSES.has(s)) return { kind: "value", value: false };
  const special = SPECIAL_FLOATS[s];
  if (special !== undefined) return { kind: "value", value: special };
  const c = s.charCodeAt(0);
  if (c === 0x2e) {
    const f = parseGoFloat(s);
    if (f !== undefined && Number.isFinite(f) && YAML_FLOAT.test(s)) return { kind: "value", value: f };
  } else if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d) {
    const r = resolveNumber(s);
    if (r !== undefined) return r;
  }
  return { kind: "value", value: s };
}

/** True when go-yaml may write `s` as a plain scalar without changing its type. */
export function canBePlainString(s: string): boolean {
  const r = resolvePlain(s);
  if (r.kind !== "value" || typeof r.value !== "string") return false;
  return !OLD_BOOLS.has(s) && !(s.includes(":") && BASE60.test(s));
}
