/**
 * The JSON store (docs/formats.md#a112-json): an order-preserving parser that keeps int64
 * literals exact, and an emitter that writes what Go's `encoding/json`
 * (`Marshal` + `Indent`) writes: `<>&` and U+2028/9 escaped, TAB indent by
 * default, empty containers as `{}`/`[]`, a final newline.
 */
import { MAX_NESTING_DEPTH, SigilError } from "../../../core/index.js";
import { formatFloatJson, parseGoFloat } from "../codec/go-format.js";
import { Comment, SopsTime, TreeMap, isSeq } from "../tree/model.js";
import type { Branches, MapItem, TreeSeq, TreeValue } from "../tree/model.js";

const INT_RE = /^-?(?:0|[1-9]\d*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

class JsonParser {
  pos = 0;
  constructor(
    readonly src: string,
    readonly subject: string | undefined,
  ) {}

  /** Messages never quote the source: any text could be a secret value (issue 7). */
  fail(what: string): never {
    const before = this.src.slice(0, this.pos);
    const line = before.split("\n").length;
    const column = this.pos - before.lastIndexOf("\n");
    throw new SigilError("decrypt.parse_failed", `invalid JSON at line ${line}, column ${column}: ${what}`, { subject: this.subject });
  }

  ws(): void {
    const s = this.src;
    let c = s.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++this.pos);
  }

  value(depth: number): TreeValue {
    if (depth > MAX_NESTING_DEPTH) this.fail(`the document nests deeper than ${MAX_NESTING_DEPTH} levels`);
    this.ws();
    const c = this.src[this.pos];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "t" && this.src.startsWith("true", this.pos)) return (this.pos += 4), true;
    if (c === "f" && this.src.startsWith("false", this.pos)) return (this.pos += 5), false;
    if (c === "n" && this.src.startsWith("null", this.pos)) return (this.pos += 4), null;
    return this.number();
  }

  number(): bigint | number {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const hit = m.exec(this.src);
    if (hit === null || hit[0] === "" || hit[0] === "-") this.fail("expected a value");
    this.pos += hit[0].length;
    const text = hit[0];
    if (INT_RE.test(text)) {
      const v = BigInt(text);
      if (v >= INT64_MIN && v <= INT64_MAX) return v;
    }
    const f = parseGoFloat(text);
    // Go's decoder refuses numbers beyond float64 (strconv.ParseFloat: value out of range), and so does sops
    return f !== undefined && Number.isFinite(f) ? f : this.fail("a number is out of range");
  }

  string(): string {
    const s = this.src;
    const start = ++this.pos;
    let end = start;
    while (end < s.length) {
      const c = s.charCodeAt(end);
      if (c === 0x22) break;
      if (c === 0x5c) break;
      if (c < 0x20) this.fail("control character in string");
      end++;
    }
    if (s.charCodeAt(end) === 0x22) {
      this.pos = end + 1;
      return s.slice(start, end);
    }
    this.pos = start;
    return this.escapedString();
  }

  escapedString(): string {
    const s = this.src;
    let out = "";
    for (;;) {
      if (this.pos >= s.length) this.fail("unterminated string");
      const c = s[this.pos++] ?? "";
      if (c === '"') return out;
      if (c.charCodeAt(0) < 0x20) this.fail("control character in string");
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = s[this.pos++];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      const mapped = e === undefined ? undefined : simple[e];
      if (mapped !== undefined) out += mapped;
      else if (e === "u") out += this.unicodeEscape();
      else this.fail("invalid escape");
    }
  }

  unicodeEscape(): string {
    const hex = this.src.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape");
    this.pos += 4;
    const code = parseInt(hex, 16);
    if (code >= 0xd800 && code < 0xdc00 && this.src.startsWith("\\u", this.pos)) {
      const low = parseInt(this.src.slice(this.pos + 2, this.pos + 6), 16);
      if (low >= 0xdc00 && low < 0xe000) {
        this.pos += 6;
        return String.fromCharCode(code, low);
      }
    }
    return code >= 0xd800 && code < 0xe000 ? "\ufffd" : String.fromCharCode(code);
  }

  object(depth: number): TreeMap {
    this.pos++;
    const items: MapItem[] = [];
    this.ws();
    if (this.src[this.pos] === "}") return this.pos++, new TreeMap(items);
    for (;;) {
      this.ws();
      if (this.src[this.pos] !== '"') this.fail("expected an object key");
      const key = this.string();
      this.ws();
      if (this.src[this.pos++] !== ":") this.fail("expected ':'");
      items.push({ key, value: this.value(depth + 1) });
      this.ws();
      const c = this.src[this.pos++];
      if (c === "}") return new TreeMap(items);
      if (c !== ",") this.fail("expected ',' or '}'");
    }
  }

  array(depth: number): TreeSeq {
    this.pos++;
    const out: TreeSeq = [];
    this.ws();
    if (this.src[this.pos] === "]") return this.pos++, out;
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.src[this.pos++];
      if (c === "]") return out;
      if (c !== ",") this.fail("expected ',' or ']'");
    }
  }
}

/**
 * Parse a JSON document whose top level is an object.
 * @throws SigilError `decrypt.parse_failed` for invalid JSON or a non-object top level.
 */
export function parseJson(bytes: Uint8Array, subject?: string): Branches {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  const p = new JsonParser(text, subject);
  p.ws();
  if (p.src[p.pos] !== "{") {
    throw new SigilError("decrypt.parse_failed", "only JSON files with a top-level object are supported; wrap other values in an object", { subject });
  }
  return [p.object(0)];
}

const ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/** A string as Go `json.Marshal` writes it (HTML-safe escaping). */
export function goJsonString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/["\\\u0000-\u001f<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    const simple = ESCAPES[c];
    if (simple !== undefined) return simple;
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code < 0xe000) return "\ufffd";
    return `\\u${code.toString(16).padStart(4, "0")}`;
  })}"`;
}

function scalarJson(v: TreeValue): string {
  if (v === null) return "null";
  if (typeof v === "string") return goJsonString(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return formatFloatJson(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof SopsTime) return goJsonString(v.text);
  if (v instanceof Uint8Array) return goJsonString(Buffer.from(v).toString("utf8"));
  throw new SigilError("internal", "unexpected JSON value");
}

function emitValue(v: TreeValue, indent: string, level: string, out: string[]): void {
  if (v instanceof TreeMap) {
    const entries = v.items.filter((i): i is { key: string; value: TreeValue } => !(i.key instanceof Comment));
    if (entries.length === 0) return void out.push("{}");
    const inner = level + indent;
    out.push("{");
    entries.forEach((e, i) => {
      out.push(`\n${inner}${goJsonString(e.key)}: `);
      emitValue(e.value, indent, inner, out);
      if (i < entries.length - 1) out.push(",");
    });
    out.push(`\n${level}}`);
  } else if (isSeq(v)) {
    const items = v.filter((i): i is TreeValue => !(i instanceof Comment));
    if (items.length === 0) return void out.push("[]");
    const inner = level + indent;
    out.push("[");
    items.forEach((e, i) => {
      out.push(`\n${inner}`);
      emitValue(e, indent, inner, out);
      if (i < items.length - 1) out.push(",");
    });
    out.push(`\n${level}]`);
  } else out.push(scalarJson(v));
}

/** The indent string for a `stores.json.indent` setting (-1 = TAB). */
export function jsonIndent(setting: number): string {
  if (setting < -1) throw new SigilError("config.invalid", "a JSON indent smaller than -1 is not accepted");
  return setting === -1 ? "\t" : " ".repeat(setting);
}

/** Emit the single branch as sops writes JSON (comments are dropped). */
export function emitJson(branches: Branches, indentSetting = -1): Uint8Array {
  const branch = branches[0] ?? new TreeMap();
  const out: string[] = [];
  emitValue(branch, jsonIndent(indentSetting), "", out);
  out.push("\n");
  return Buffer.from(out.join(""), "utf8");
}
