/**
 * Parser for the subset of Go `text/template` that SealedSecret templates
 * may use (docs/crds/sealedsecret.md lists it): text, `{{ pipeline }}`
 * actions with `{{-`/`-}}` trim markers, comments, and pipelines made of
 * `.key` fields, `.`, string literals, parentheses, function calls and `|`.
 * Control structures, variables and numbers are rejected.
 */
import { MAX_NESTING_DEPTH } from "../../core/index.js";

export type Operand =
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "dot" }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "func"; readonly name: string }
  | { readonly kind: "group"; readonly pipeline: Pipeline };

export type Command = readonly Operand[];
export type Pipeline = readonly Command[];

export type Node = { readonly kind: "text"; readonly text: string } | { readonly kind: "action"; readonly pipeline: Pipeline };

/** A template that cannot be parsed; the message never quotes the template source (a literal could be a value). */
export class TemplateSyntaxError extends Error {}

const KEYWORDS = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil", "true", "false"]);

/** Split a template source into text and action nodes. */
export function parseTemplate(source: string): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos < source.length) {
    const open = source.indexOf("{{", pos);
    let text = source.slice(pos, open === -1 ? source.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
    if (open === -1) {
      if (text !== "") nodes.push({ kind: "text", text });
      break;
    }
    const trimLeft = /^\{\{-[ \t\r\n]/.test(source.slice(open, open + 4));
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, "");
    if (text !== "") nodes.push({ kind: "text", text });
    const close = findClose(source, open + 2);
    if (close === -1) throw new TemplateSyntaxError("unclosed action");
    const trimRight = /[ \t\r\n]-\}\}$/.test(source.slice(close - 2, close + 2));
    const body = source.slice(open + (trimLeft ? 3 : 2), close - (trimRight ? 1 : 0)).trim();
    if (!(body.startsWith("/*") && body.endsWith("*/"))) nodes.push({ kind: "action", pipeline: parseAction(body) });
    trimNext = trimRight;
    pos = close + 2;
  }
  return nodes;
}

/** Position of the `}}` closing an action, skipping quoted strings and comments. */
function findClose(source: string, from: number): number {
  let i = from;
  while (i < source.length) {
    const ch = source[i];
    if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      if (end === -1) return -1;
      i = end + 2;
    } else if (ch === '"' || ch === "`") {
      i = skipString(source, i);
    } else if (source.startsWith("}}", i)) {
      return i;
    } else i++;
  }
  return -1;
}

function skipString(source: string, start: number): number {
  const quote = source[start];
  let i = start + 1;
  while (i < source.length && source[i] !== quote) {
    if (quote === '"' && source[i] === "\\") i++;
    if (quote === '"' && source[i] === "\n") throw new TemplateSyntaxError("unterminated quoted string");
    i++;
  }
  if (i >= source.length) throw new TemplateSyntaxError("unterminated quoted string");
  return i + 1;
}

type Token = { readonly t: "(" } | { readonly t: ")" } | { readonly t: "|" } | { readonly t: "op"; readonly op: Operand };

function parseAction(body: string): Pipeline {
  if (body === "") throw new TemplateSyntaxError("missing value for command");
  const tokens = tokenize(body);
  const [pipeline, next] = parsePipeline(tokens, 0);
  if (next !== tokens.length) throw new TemplateSyntaxError("unexpected ')' in action");
  return pipeline;
}

function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const ws = /^[ \t\r\n]+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    const ch = body[i] ?? "";
    if (ch === "(" || ch === ")" || ch === "|") {
      tokens.push(ch === "(" ? { t: "(" } : ch === ")" ? { t: ")" } : { t: "|" });
      i++;
    } else if (ch === '"' || ch === "`") {
      const end = skipString(body, i);
      tokens.push({ t: "op", op: { kind: "string", value: unquote(body.slice(i, end)) } });
      i = end;
    } else {
      const word = /^[^ \t\r\n()|"`]+/.exec(rest)?.[0] ?? ch;
      tokens.push({ t: "op", op: operandFor(word) });
      i += word.length;
    }
  }
  return tokens;
}

function operandFor(word: string): Operand {
  if (word === ".") return { kind: "dot" };
  if (/^\.[A-Za-z_][A-Za-z0-9_]*$/.test(word)) return { kind: "field", name: word.slice(1) };
  if (/^(\.[A-Za-z_][A-Za-z0-9_]*){2,}$/.test(word)) {
    throw new TemplateSyntaxError("chained fields (.a.b) are not supported (values are strings)");
  }
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) {
    if (KEYWORDS.has(word)) throw new TemplateSyntaxError(`'${word}' is not supported in sealed secret templates`);
    return { kind: "func", name: word };
  }
  if (word.startsWith("$")) throw new TemplateSyntaxError("template variables are not supported");
  if (word.startsWith(".")) throw new TemplateSyntaxError('bad field name: use index . "key" for keys that are not identifiers');
  throw new TemplateSyntaxError("unsupported token (only .fields, strings, functions, ( ) and | are supported)");
}

function parsePipeline(tokens: readonly Token[], start: number, depth = 0): [Pipeline, number] {
  if (depth >= MAX_NESTING_DEPTH) throw new TemplateSyntaxError(`parentheses nest deeper than ${MAX_NESTING_DEPTH} levels`);
  const commands: Command[] = [];
  let current: Operand[] = [];
  let i = start;
  for (; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok === undefined || tok.t === ")") break;
    if (tok.t === "|") {
      if (current.length === 0) throw new TemplateSyntaxError("missing command before '|'");
      commands.push(current);
      current = [];
    } else if (tok.t === "(") {
      const [inner, next] = parsePipeline(tokens, i + 1, depth + 1);
      if (tokens[next]?.t !== ")") throw new TemplateSyntaxError("unclosed left paren");
      if (inner.length === 0) throw new TemplateSyntaxError("missing value in parentheses");
      current.push({ kind: "group", pipeline: inner });
      i = next;
    } else current.push(tok.op);
  }
  if (current.length === 0) throw new TemplateSyntaxError("missing command in pipeline");
  commands.push(current);
  return [commands, i];
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'", a: "\x07", b: "\b", f: "\f", v: "\v" };

/** Interpret a Go string literal ("…" with escapes, or `…` raw). */
function unquote(literal: string): string {
  const inner = literal.slice(1, -1);
  if (literal.startsWith("`")) return inner.replace(/\r/g, "");
  return inner.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, esc: string) => {
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) return simple;
    if (/^[xuU]/.test(esc)) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]{3}$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
    throw new TemplateSyntaxError("unknown escape sequence in string literal");
  });
}
