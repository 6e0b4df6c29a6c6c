/**
 * The part of gjson path syntax ESO users write in `property`: dot-separated
 * keys (`\.` escapes a dot), array indexes, `#` for an array's length, and
 * `*` / `?` wildcards in a key. Queries (`#(…)`), modifiers (`@…`) and pipes
 * are not supported and find nothing. The result is gjson's `String()`.
 */
import { RE2JS } from "re2js";
import { JsonNumber, goFormatFloat, goJsonMarshal, isJsonObject } from "./json.js";
import type { JsonValue } from "./json.js";

const MAX_PATH = 1024;

/** Split a path on unescaped dots. */
export function splitGjsonPath(path: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i] ?? "";
    if (c === "\\" && i + 1 < path.length) cur += path[++i] ?? "";
    else if (c === ".") {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function globMatcher(pattern: string): (key: string) => boolean {
  if (!/[*?]/.test(pattern)) return (k) => k === pattern;
  const re = RE2JS.compile("^" + pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : RE2JS.quote(c))).join("") + "$", RE2JS.DOTALL);
  return (k) => re.matches(k);
}

function step(v: JsonValue, part: string): JsonValue | undefined {
  if (Array.isArray(v)) {
    if (part === "#") return new JsonNumber(String(v.length));
    return /^\d+$/.test(part) ? v[Number(part)] : undefined;
  }
  if (!isJsonObject(v)) return undefined;
  if (Object.hasOwn(v, part)) return v[part];
  const match = globMatcher(part);
  const key = Object.keys(v).find(match);
  return key === undefined ? undefined : v[key];
}

/** gjson `Result.String()` of a value. */
export function gjsonString(v: JsonValue): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof JsonNumber) return /^-?\d+$/.test(v.text) ? v.text : goFormatFloat(v.value);
  return goJsonMarshal(v);
}

/** The string form of `path` in `root`, or undefined when it does not exist or uses unsupported syntax. */
export function gjsonGet(root: JsonValue, path: string): string | undefined {
  if (path === "" || path.length > MAX_PATH || /[|@]|#\(/.test(path)) return undefined;
  let cur: JsonValue | undefined = root;
  for (const part of splitGjsonPath(path)) {
    if (cur === undefined) return undefined;
    cur = step(cur, part);
  }
  return cur === undefined ? undefined : gjsonString(cur);
}
