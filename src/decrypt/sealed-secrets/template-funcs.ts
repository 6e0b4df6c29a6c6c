/**
 * The template functions SealedSecret templates may call: Go's built-ins
 * `index`, `print`, `printf` and a safe subset of Sprig. Values are bytes
 * (a decrypted value or a literal), "no value" (a missing key), or the
 * data map itself (only `index` accepts it: printing it would print every
 * secret at once).
 */
import { decodeBase64Strict } from "../../core/index.js";
import { goJsonString } from "./output.js";

export type TValue = { readonly t: "str"; readonly v: Buffer } | { readonly t: "nil" } | { readonly t: "dot" };

/** A function argument or result problem; becomes `sealed.template_failed`. */
export class TemplateExecError extends Error {}

export const str = (v: Buffer | string): TValue => ({ t: "str", v: typeof v === "string" ? Buffer.from(v, "utf8") : v });
export const NIL: TValue = { t: "nil" };

type Fn = (args: readonly TValue[], data: ReadonlyMap<string, Buffer>) => TValue;

function text(name: string, arg: TValue | undefined): string {
  return bytes(name, arg).toString("utf8");
}

function bytes(name: string, arg: TValue | undefined): Buffer {
  if (arg === undefined) throw new TemplateExecError(`wrong number of args for ${name}`);
  if (arg.t === "nil") throw new TemplateExecError(`invalid value (missing key) passed to ${name}; expected string`);
  if (arg.t === "dot") throw new TemplateExecError(`the data map cannot be passed to ${name}`);
  return arg.v;
}

function arity(name: string, args: readonly TValue[], n: number): void {
  if (args.length !== n) throw new TemplateExecError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

function unary(name: string, f: (s: string) => string): Fn {
  return (args) => {
    arity(name, args, 1);
    return str(f(text(name, args[0])));
  };
}

function isPrint(ch: string): boolean {
  return ch === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

const QUOTE_ESCAPES: Readonly<Record<string, string>> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };

/** Go's `%q` / `strconv.Quote` of a byte string. */
export function goQuote(value: Buffer): string {
  const decoded = new TextDecoder("utf-8", { fatal: false }).decode(value);
  const valid = Buffer.from(decoded, "utf8").equals(value);
  if (!valid) return `"${[...value].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : escapeByte(b))).join("")}"`;
  let out = '"';
  for (const ch of decoded) {
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (isPrint(ch)) out += ch;
    else out += QUOTE_ESCAPES[ch] ?? escapeRune(ch.codePointAt(0) ?? 0);
  }
  return `${out}"`;
}

function escapeByte(b: number): string {
  const ch = String.fromCharCode(b);
  if (ch === '"' || ch === "\\") return `\\${ch}`;
  return QUOTE_ESCAPES[ch] ?? `\\x${b.toString(16).padStart(2, "0")}`;
}

function escapeRune(cp: number): string {
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

function sprint(args: readonly TValue[]): Buffer {
  return Buffer.concat(args.map((a) => (a.t === "nil" ? Buffer.from("<nil>") : bytes("print", a))));
}

function printf(args: readonly TValue[]): TValue {
  const format = text("printf", args[0]);
  const rest = args.slice(1);
  const parts: Buffer[] = [];
  let used = 0;
  let last = 0;
  for (const m of format.matchAll(/%(.)/gs)) {
    parts.push(Buffer.from(format.slice(last, m.index), "utf8"));
    last = m.index + m[0].length;
    const verb = m[1] ?? "";
    if (verb === "%") {
      parts.push(Buffer.from("%"));
      continue;
    }
    if (verb !== "s" && verb !== "v" && verb !== "q") throw new TemplateExecError(`printf verb %${verb} is not supported (use %s, %v, %q)`);
    const arg = rest[used++];
    if (arg === undefined) throw new TemplateExecError("printf has fewer arguments than verbs");
    const b = arg.t === "nil" ? Buffer.from("<nil>") : bytes("printf", arg);
    parts.push(verb === "q" ? Buffer.from(goQuote(b), "utf8") : b);
  }
  parts.push(Buffer.from(format.slice(last), "utf8"));
  if (used !== rest.length) throw new TemplateExecError("printf has more arguments than verbs");
  return str(Buffer.concat(parts));
}

function index(args: readonly TValue[], data: ReadonlyMap<string, Buffer>): TValue {
  arity("index", args, 2);
  if (args[0]?.t !== "dot") throw new TemplateExecError("index is only supported on the data map: index . \"key\"");
  const value = data.get(text("index", args[1]));
  return str(value ?? Buffer.alloc(0));
}

function fallback(args: readonly TValue[]): TValue {
  if (args.length < 1 || args.length > 2) throw new TemplateExecError("wrong number of args for default");
  const given = args[1];
  const empty = given === undefined || given.t === "nil" || (given.t === "str" && given.v.length === 0);
  if (given?.t === "dot") throw new TemplateExecError("the data map cannot be passed to default");
  return empty ? (args[0] ?? NIL) : given;
}

function quoteAll(quote: (b: Buffer) => string): Fn {
  return (args) => str(args.filter((a) => a.t !== "nil").map((a) => quote(bytes("quote", a))).join(" "));
}

function b64dec(args: readonly TValue[]): TValue {
  arity("b64dec", args, 1);
  const decoded = decodeBase64Strict(text("b64dec", args[0]));
  if (decoded === undefined) throw new TemplateExecError("b64dec: input is not valid padded base64");
  return str(decoded);
}

function binary(name: string, f: (a: string, b: string) => string): Fn {
  return (args) => {
    arity(name, args, 2);
    return str(f(text(name, args[0]), text(name, args[1])));
  };
}

/** Every supported function, by name. */
export const FUNCTIONS: ReadonlyMap<string, Fn> = new Map<string, Fn>([
  ["index", index],
  ["print", (args) => str(sprint(args))],
  ["printf", printf],
  ["toJson", (args) => {
    arity("toJson", args, 1);
    const a = args[0];
    return str(a?.t === "nil" ? "null" : goJsonString(text("toJson", a)));
  }],
  ["b64enc", (args) => {
    arity("b64enc", args, 1);
    return str(bytes("b64enc", args[0]).toString("base64"));
  }],
  ["b64dec", b64dec],
  ["quote", quoteAll(goQuote)],
  ["squote", quoteAll((b) => `'${b.toString("utf8")}'`)],
  ["upper", unary("upper", (s) => s.toUpperCase())],
  ["lower", unary("lower", (s) => s.toLowerCase())],
  ["trim", unary("trim", (s) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, ""))],
  ["trimPrefix", binary("trimPrefix", (p, s) => (s.startsWith(p) ? s.slice(p.length) : s))],
  ["trimSuffix", binary("trimSuffix", (p, s) => (p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s))],
  ["replace", (args) => {
    arity("replace", args, 3);
    return str(text("replace", args[2]).split(text("replace", args[0])).join(text("replace", args[1])));
  }],
  ["default", fallback],
]);

/** The names of the supported functions, for documentation and error messages. */
export const TEMPLATE_FUNCTIONS: readonly string[] = [...FUNCTIONS.keys()];
