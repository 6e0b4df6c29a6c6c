/**
 * A parser for the subset of Go's text/template that ExternalSecret
 * templates use: text, `{{ pipeline }}` actions with `{{-`/`-}}` trimming,
 * comments, pipelines of commands, field access (`.key`, `.a.b`), `$`, string
 * (interpreted and raw), number and bool literals, and parenthesised pipelines.
 * Control actions (`if`, `range`, `with`, `define`, `template`, `block`) and
 * variables are refused with `es.template_unsupported`, never rendered wrong.
 */
import { SigilError } from "../../core/index.js";

/** An operand of a command. */
export type Operand =
  | { readonly kind: "field"; readonly path: readonly string[] }
  | { readonly kind: "root" }
  | { readonly kind: "literal"; readonly value: string | number | boolean }
  | { readonly kind: "func"; readonly name: string }
  | { readonly kind: "pipe"; readonly pipe: Pipeline };

/** A command: its operands (the first may be a function). */
export type Command = readonly Operand[];
/** Commands joined by `|`. */
export type Pipeline = readonly Command[];
/** A parsed template: text and actions in order. */
export type TemplateNode = { readonly kind: "text"; readonly text: string } | { readonly kind: "action"; readonly pipe: Pipeline };

const MAX_TEMPLATE = 256 * 1024;
const CONTROL = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]);

function unsupported(what: string, name: string): SigilError {
  return new SigilError("es.template_unsupported", `${what} is not supported by sigil's template engine`, { subject: name });
}

function failed(message: string, name: string): SigilError {
  return new SigilError("es.template_failed", message, { subject: name });
}

/**
 * Parse `source` (named `name` in errors).
 * @throws SigilError `es.template_failed` (syntax), `es.template_unsupported` (control actions, variables), `input.too_large`.
 */
export function parseTemplate(source: string, name: string): TemplateNode[] {
  if (source.length > MAX_TEMPLATE) throw new SigilError("input.too_large", `template over ${MAX_TEMPLATE} characters`, { subject: name });
  const nodes: TemplateNode[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos < source.length) {
    const open = source.indexOf("{{", pos);
    let text = source.slice(pos, open === -1 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, "");
    if (open === -1) {
      if (text !== "") nodes.push({ kind: "text", text });
      break;
    }
    let start = open + 2;
    if (source.startsWith("- ", start) || source.startsWith("-\t", start) || source.startsWith("-\n", start)) {
      text = text.replace(/\s+$/, "");
      start += 1;
    }
    if (text !== "") nodes.push({ kind: "text", text });
    const close = findClose(source, start, name);
    let end = close;
    trimNext = false;
    if (/\s-$/.test(source.slice(start, close))) {
      end = close - 1;
      trimNext = true;
    }
    const inner = source.slice(start, end).trim();
    if (!inner.startsWith("/*")) nodes.push({ kind: "action", pipe: parsePipeline(new Lexer(inner, name), name, false) });
    pos = close + 2;
  }
  return nodes;
}

function findClose(src: string, from: number, name: string): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') i = skipQuoted(src, i, '"', name);
    else if (c === "`") i = skipQuoted(src, i, "`", name);
    else if (src.startsWith("}}", i)) return i;
    else i++;
  }
  throw failed("unclosed action", name);
}

function skipQuoted(src: string, i: number, q: string, name: string): number {
  for (let j = i + 1; j < src.length; j++) {
    if (q === '"' && src[j] === "\\") j++;
    else if (src[j] === q) return j + 1;
  }
  throw failed("unterminated quoted string", name);
}

type Token = { kind: "ident" | "field" | "string" | "number" | "pipe" | "lparen" | "rparen" | "dollar" | "dot" | "assign"; text: string };

class Lexer {
  readonly tokens: Token[] = [];
  i = 0;
  constructor(src: string, name: string) {
    const re = /\s*(?:(\|)|(\()|(\))|(:?=)|("(?:[^"\\]|\\.)*")|(`[^`]*`)|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(\$[A-Za-z0-9_]*)|((?:\.[A-Za-z_][A-Za-z0-9_]*)+)|(\.)|([A-Za-z_][A-Za-z0-9_]*))/y;
    let m: RegExpExecArray | null;
    while (re.lastIndex < src.length && (m = re.exec(src)) !== null) {
      if (m[0].trim() === "") break;
      this.tokens.push(toToken(m, name));
    }
    if (src.slice(re.lastIndex).trim() !== "") throw failed(`unexpected text at offset ${String(re.lastIndex)} of an action`, name);
  }
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
}

function toToken(m: RegExpExecArray, name: string): Token {
  if (m[1] !== undefined) return { kind: "pipe", text: "|" };
  if (m[2] !== undefined) return { kind: "lparen", text: "(" };
  if (m[3] !== undefined) return { kind: "rparen", text: ")" };
  if (m[4] !== undefined) throw unsupported("template variables", name);
  if (m[5] !== undefined) return { kind: "string", text: JSON.parse(m[5].replace(/\\x([0-9a-fA-F]{2})/g, "\\u00$1").replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b")) as string };
  if (m[6] !== undefined) return { kind: "string", text: m[6].slice(1, -1) };
  if (m[7] !== undefined) return { kind: "number", text: m[7] };
  if (m[8] !== undefined) {
    if (m[8] !== "$") throw unsupported("template variables", name);
    return { kind: "dollar", text: "$" };
  }
  if (m[9] !== undefined) return { kind: "field", text: m[9] };
  if (m[10] !== undefined) return { kind: "dot", text: "." };
  return { kind: "ident", text: m[11] ?? "" };
}

function parsePipeline(lx: Lexer, name: string, nested: boolean): Pipeline {
  const first = lx.peek();
  if (first?.kind === "ident" && CONTROL.has(first.text)) throw unsupported(`the '${first.text}' action`, name);
  const commands: Command[] = [];
  let cmd: Operand[] = [];
  for (;;) {
    const t = lx.next();
    if (t === undefined || (nested && t.kind === "rparen")) {
      if (nested && t === undefined) throw failed("unclosed left paren", name);
      break;
    }
    if (t.kind === "pipe") {
      if (cmd.length === 0) throw failed("missing command before '|'", name);
      commands.push(cmd);
      cmd = [];
      continue;
    }
    cmd.push(operand(t, lx, name));
  }
  if (cmd.length === 0) throw failed(commands.length === 0 ? "missing value for command" : "missing command after '|'", name);
  commands.push(cmd);
  return commands;
}

function operand(t: Token, lx: Lexer, name: string): Operand {
  switch (t.kind) {
    case "field": return { kind: "field", path: t.text.split(".").slice(1) };
    case "dot": return { kind: "field", path: [] };
    case "dollar": return { kind: "root" };
    case "string": return { kind: "literal", value: t.text };
    case "number": return { kind: "literal", value: Number(t.text) };
    case "lparen": return { kind: "pipe", pipe: parsePipeline(lx, name, true) };
    case "ident":
      if (t.text === "true" || t.text === "false") return { kind: "literal", value: t.text === "true" };
      if (CONTROL.has(t.text)) throw unsupported(`the '${t.text}' action`, name);
      return { kind: "func", name: t.text };
    default: throw failed(`unexpected ${t.kind} token`, name);
  }
}
