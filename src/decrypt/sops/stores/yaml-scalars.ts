/**
 * Low-level YAML scanning shared by the block and flow parsers: the source
 * cursor, quoted scalars, plain scalars and block scalars (`|`, `>`).
 */
import { SigilError } from "../../../core/index.js";

/** A cursor over the source text that knows line starts (for columns and messages). */
export class Cursor {
  pos = 0;
  constructor(
    readonly src: string,
    readonly subject: string | undefined,
  ) {}

  /** Messages never quote the source: any text could be a secret value (issue 7). */
  fail(msg: string, at = this.pos): never {
    const line = countLines(this.src, at);
    throw new SigilError("decrypt.parse_failed", `invalid YAML at line ${line}, column ${this.col(at) + 1}: ${msg}`, { subject: this.subject });
  }

  /** Column (0-based) of `at`. */
  col(at = this.pos): number {
    const nl = this.src.lastIndexOf("\n", at - 1);
    return at - nl - 1;
  }

  ch(at = this.pos): string {
    return this.src[at] ?? "";
  }

  atEol(at = this.pos): boolean {
    const c = this.src.charCodeAt(at);
    return Number.isNaN(c) || c === 0x0a || (c === 0x0d && this.src.charCodeAt(at + 1) === 0x0a);
  }

  skipSpaces(): void {
    let c = this.src.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x09) c = this.src.charCodeAt(++this.pos);
  }

  /** Move past the end of the current line. */
  nextLine(): void {
    const nl = this.src.indexOf("\n", this.pos);
    this.pos = nl === -1 ? this.src.length : nl + 1;
  }

  eof(): boolean {
    return this.pos >= this.src.length;
  }
}

function countLines(src: string, at: number): number {
  let n = 1;
  for (let i = src.indexOf("\n"); i !== -1 && i < at; i = src.indexOf("\n", i + 1)) n++;
  return n;
}

/** Is `c` a blank, a line break or the end? */
export function isBlankOrEnd(c: string): boolean {
  return c === "" || c === " " || c === "\t" || c === "\n" || c === "\r";
}

const DQ_ESCAPES: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\u0085", _: "\u00a0", L: "\u2028", P: "\u2029",
};

/** Fold the line breaks of a multi-line quoted scalar: one break → space, n breaks → n-1 newlines. */
function foldBreaks(breaks: number): string {
  return breaks === 1 ? " " : "\n".repeat(breaks - 1);
}

/** Consume whitespace and line breaks inside a quoted scalar; return how many breaks were crossed. */
function skipQuotedBreaks(cur: Cursor): number {
  let breaks = 0;
  for (;;) {
    const c = cur.ch();
    if (c === " " || c === "\t" || c === "\r") cur.pos++;
    else if (c === "\n") {
      breaks++;
      cur.pos++;
    } else return breaks;
  }
}

/** Consume a run of blanks and breaks inside a quoted scalar: kept as is on one line, folded across lines. */
function quotedWhitespace(cur: Cursor): string {
  const ws = cur.pos;
  const breaks = skipQuotedBreaks(cur);
  return breaks === 0 ? cur.src.slice(ws, cur.pos) : foldBreaks(breaks);
}

/** Scan a double-quoted scalar starting at `"`. */
export function scanDoubleQuoted(cur: Cursor): string {
  const start = cur.pos++;
  let out = "";
  for (;;) {
    const c = cur.ch();
    if (c === "") cur.fail("unterminated double-quoted string", start);
    if (c === '"') {
      cur.pos++;
      return out;
    }
    if (c === "\\") {
      const e = cur.ch(cur.pos + 1);
      if (e === "\n" || e === "\r") {
        cur.pos++;
        skipQuotedBreaks(cur);
        continue;
      }
      cur.pos += 2;
      out += escapeFor(cur, e);
      continue;
    }
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      out += quotedWhitespace(cur);
      continue;
    }
    out += c;
    cur.pos++;
  }
}

function escapeFor(cur: Cursor, e: string): string {
  const simple = DQ_ESCAPES[e];
  if (simple !== undefined) return simple;
  const width = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
  const hex = cur.src.slice(cur.pos, cur.pos + width);
  if (width === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) cur.fail(`invalid escape '\\${e}'`);
  cur.pos += width;
  const code = parseInt(hex, 16);
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) cur.fail("invalid unicode escape");
  return String.fromCodePoint(code);
}

/** Scan a single-quoted scalar starting at `'`. */
export function scanSingleQuoted(cur: Cursor): string {
  const start = cur.pos++;
  let out = "";
  for (;;) {
    const c = cur.ch();
    if (c === "") cur.fail("unterminated single-quoted string", start);
    if (c === "'") {
      if (cur.ch(cur.pos + 1) === "'") {
        out += "'";
        cur.pos += 2;
        continue;
      }
      cur.pos++;
      return out;
    }
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      out += quotedWhitespace(cur);
      continue;
    }
    out += c;
    cur.pos++;
  }
}

/** Does a plain scalar end at `at` (`: `, ` #`, or a flow indicator inside flow)? */
export function plainEndsAt(cur: Cursor, at: number, flow: boolean): boolean {
  const c = cur.src[at] ?? "";
  if (c === "" || c === "\n" || c === "\r") return true;
  if (c === ":" && (isBlankOrEnd(cur.src[at + 1] ?? "") || (flow && ",[]{}".includes(cur.src[at + 1] ?? "")))) return true;
  if (c === "#" && (cur.src[at - 1] === " " || cur.src[at - 1] === "\t")) return true;
  return flow && ",[]{}".includes(c);
}

/** Scan the part of a plain scalar on the current line; trailing blanks are not included. */
export function scanPlainLine(cur: Cursor, flow: boolean): string {
  const start = cur.pos;
  while (!plainEndsAt(cur, cur.pos, flow)) cur.pos++;
  let end = cur.pos;
  while (end > start && (cur.src[end - 1] === " " || cur.src[end - 1] === "\t")) end--;
  return cur.src.slice(start, end);
}
