// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * The pieces of Go RE2 syntax shared by the main scanner and character
 * classes: escapes that denote one character, Perl and Unicode classes, POSIX
 * classes, and how a code point is written back in JavaScript `u`-mode syntax.
 */

/** Thrown by the translator; `compileRe2` turns it into a `config.invalid` SigilError. */
export class Re2Unsupported extends Error {
  override readonly name = "Re2Unsupported";
}

/** Go's `\s` is ASCII only: tab, newline, form feed, carriage return, space (no `\v`). */
export const GO_SPACE = "\\t\\n\\f\\r ";

/**
 * Go's `\S` for use inside a JavaScript class: JavaScript's `\S` plus every
 * character JavaScript counts as white space and Go does not.
 */
export const GO_NOT_SPACE_IN_CLASS = "\\S\\v\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";

/** POSIX classes Go accepts inside brackets (`[[:alpha:]]`), as JavaScript class bodies. */
export const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7f",
  blank: "\\t ",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`\\{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const SYNTAX = new Set("^$\\.*+?()[]{}|");
const CLASS_SPECIAL = new Set("\\]^-[");
/** Go: an escaped ASCII character that is not a letter or digit is always itself. */
function isAsciiNonWord(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  return c.length === 1 && cp < 0x80 && !/^[0-9A-Za-z]$/.test(c);
}
const SIMPLE: Readonly<Record<string, number>> = { a: 0x07, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

function hexEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function isInvisible(cp: number): boolean {
  return cp < 0x20 || cp === 0x7f || cp === 0x2028 || cp === 0x2029;
}

/** A code point as a literal outside a class, escaped where JavaScript `u` mode needs it. */
export function literal(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (SYNTAX.has(ch)) return `\\${ch}`;
  return isInvisible(cp) ? hexEscape(cp) : ch;
}

/** A code point as a literal inside a class. */
export function classLiteral(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (CLASS_SPECIAL.has(ch)) return `\\${ch}`;
  return isInvisible(cp) ? hexEscape(cp) : ch;
}

/** A minimal cursor over a pattern's code points. */
export interface Cursor {
  readonly src: string;
  pos: number;
}

/** The code point at the cursor (undefined at the end). */
export function peek(cur: Cursor, ahead = 0): string | undefined {
  let p = cur.pos;
  for (let i = 0; i < ahead && p < cur.src.length; i++) p += (cur.src.codePointAt(p) ?? 0) > 0xffff ? 2 : 1;
  if (p >= cur.src.length) return undefined;
  return String.fromCodePoint(cur.src.codePointAt(p) ?? 0);
}

/** Take the code point at the cursor. */
export function next(cur: Cursor): string {
  const ch = peek(cur);
  if (ch === undefined) throw new Re2Unsupported("unexpected end of pattern");
  cur.pos += ch.length;
  return ch;
}

function octal(first: string, cur: Cursor): number {
  let value = Number(first);
  for (let i = 1; i < 3; i++) {
    const d = peek(cur);
    if (d === undefined || d < "0" || d > "7") break;
    value = value * 8 + Number(next(cur));
  }
  return value;
}

function hex(cur: Cursor): number {
  let digits: string;
  if (peek(cur) === "{") {
    const end = cur.src.indexOf("}", cur.pos);
    if (end < 0) throw new Re2Unsupported("invalid escape sequence \\x{ (missing })");
    digits = cur.src.slice(cur.pos + 1, end);
    cur.pos = end + 1;
  } else {
    digits = cur.src.slice(cur.pos, cur.pos + 2);
    cur.pos += 2;
    if (digits.length !== 2) throw new Re2Unsupported(`invalid escape sequence \\x${digits}`);
  }
  const value = /^[0-9A-Fa-f]+$/.test(digits) ? Number.parseInt(digits, 16) : Number.NaN;
  if (!(value <= 0x10ffff)) throw new Re2Unsupported(`invalid escape sequence \\x${digits}`);
  return value;
}

/**
 * The character denoted by an escape (the backslash already taken, `c` the
 * letter after it): ASCII non-word characters, octal, `\x`, `\a\f\n\r\t\v`.
 * @throws Re2Unsupported for escapes Go rejects, naming back-references.
 */
export function charEscape(c: string, cur: Cursor): number {
  if (isAsciiNonWord(c)) return c.codePointAt(0) ?? 0;
  const simple = SIMPLE[c];
  if (simple !== undefined) return simple;
  if (c === "x") return hex(cur);
  if (c === "0") return octal(c, cur);
  if (c >= "1" && c <= "7") {
    const d = peek(cur);
    if (d !== undefined && d >= "0" && d <= "7") return octal(c, cur);
  }
  if (c >= "1" && c <= "9") throw new Re2Unsupported(`back-references (\\${c}) are not supported by go re2`);
  if (c === "Z") throw new Re2Unsupported("\\Z is not supported by go re2 (use \\z)");
  throw new Re2Unsupported(`invalid escape sequence \\${c}`);
}

const GENERAL_CATEGORY = /^(?:[CLMNPSZ]|C[cfos]|L[lmotu]|M[cen]|N[dlo]|P[cdefios]|S[ckmo]|Z[lps])$/;

/** `\pL`, `\p{Greek}`, `\P{Lu}`, `\p{^Han}` (the `p`/`P` already taken) as a JavaScript property escape. */
export function property(upper: boolean, cur: Cursor): string {
  let name: string;
  if (peek(cur) === "{") {
    const end = cur.src.indexOf("}", cur.pos);
    if (end < 0) throw new Re2Unsupported("invalid character class range \\p{ (missing })");
    name = cur.src.slice(cur.pos + 1, end);
    cur.pos = end + 1;
  } else {
    name = next(cur);
  }
  let negate = upper;
  if (name.startsWith("^")) {
    negate = !negate;
    name = name.slice(1);
  }
  if (!/^[A-Za-z_]+$/.test(name)) throw new Re2Unsupported(`invalid unicode class name '${name}'`);
  const body = name === "Any" || GENERAL_CATEGORY.test(name) ? name : `Script=${name}`;
  return `\\${negate ? "P" : "p"}{${body}}`;
}
