// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Go RE2 (the `regexp` package sops uses for `path_regex` and the regex
 * selection rules) translated to an equivalent JavaScript RegExp.
 *
 * The output always uses the `u` flag (code-point semantics, as Go matches
 * runes) and never the JavaScript `m`/`s` flags: Go's `.`, `^`, `$`, `\A`,
 * `\z` and `\s` are rewritten into explicit forms so that both engines accept
 * exactly the same strings. Syntax RE2 does not have (look-around,
 * back-references) is rejected as Go rejects it; Go syntax JavaScript cannot
 * express here (a case-insensitive flag that does not cover the whole
 * pattern, negated POSIX classes mixed with other class items) is rejected
 * with a clear message. See docs/sops-config.md for the full table.
 */
import { SigilError } from "../../../core/index.js";
import { parseClass } from "./re2-class.js";
import { GO_SPACE, Re2Unsupported, charEscape, literal, peek, property } from "./re2-escapes.js";
import type { Cursor } from "./re2-escapes.js";

/** A translated pattern: `new RegExp(source, flags)` matches what Go's regexp matches. */
export interface Re2Translation {
  readonly source: string;
  readonly flags: string;
}

/** Go's limit on `{n,m}` counts. */
export const RE2_MAX_REPEAT = 1000;

interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly U: boolean;
}

interface State extends Cursor {
  readonly out: string[];
  readonly stack: Flags[];
  flags: Flags;
  ignoreCase: boolean;
}

const FLAG_GROUP = /^\(\?([imsU]*)(?:(-)([imsU]*))?([:)])/;
const REPEAT = /^\{(\d+)(?:(,)(\d*))?\}/;

function applyFlags(st: State, on: string, off: string, scoped: boolean): void {
  const atStart = st.out.length === 0 && st.stack.length === 0 && !scoped;
  if (on.includes("i") && !(atStart || st.ignoreCase)) {
    throw new Re2Unsupported("the case-insensitive flag (?i) is only supported at the very start of the pattern");
  }
  if (off.includes("i") && st.ignoreCase) throw new Re2Unsupported("turning off (?i) inside the pattern is not supported");
  if (on.includes("i")) st.ignoreCase = true;
  const set = (f: keyof Flags): boolean => (on.includes(f) ? true : off.includes(f) ? false : st.flags[f]);
  st.flags = { i: set("i"), m: set("m"), s: set("s"), U: set("U") };
}

function flagGroup(st: State, m: RegExpExecArray): void {
  const [whole, on = "", dash, off = "", end] = m;
  if (dash !== undefined && off === "") {
    throw new Re2Unsupported(`invalid or unsupported perl syntax: ${whole}`);
  }
  st.pos += whole.length;
  if (end === ":") {
    st.stack.push(st.flags);
    applyFlags(st, on, off, true);
    st.out.push("(?:");
  } else {
    applyFlags(st, on, off, false);
  }
}

function namedGroup(st: State, rest: string): void {
  const m = /^\(\?P?<([^>]*)>/.exec(rest);
  if (m === null) throw new Re2Unsupported(`invalid named capture: ${rest.slice(0, 12)}`);
  if (!/^[A-Za-z0-9_]+$/.test(m[1] ?? "")) throw new Re2Unsupported(`invalid named capture name '${m[1] ?? ""}'`);
  st.pos += m[0].length;
  st.stack.push(st.flags);
  st.out.push("(");
}

function group(st: State): void {
  const rest = st.src.slice(st.pos);
  if (!rest.startsWith("(?")) {
    st.pos += 1;
    st.stack.push(st.flags);
    st.out.push("(");
    return;
  }
  if (/^\(\?(?:=|!|<=|<!)/.test(rest)) throw new Re2Unsupported("look-around assertions ((?=, (?!, (?<=, (?<!) are not supported by go re2");
  if (/^\(\?P[=>]/.test(rest)) throw new Re2Unsupported("back-references ((?P=name)) are not supported by go re2");
  if (/^\(\?P?</.test(rest)) {
    namedGroup(st, rest);
    return;
  }
  const m = FLAG_GROUP.exec(rest);
  if (m === null) throw new Re2Unsupported(`invalid or unsupported perl syntax: ${rest.slice(0, 4)}`);
  flagGroup(st, m);
}

function closeGroup(st: State): void {
  const saved = st.stack.pop();
  if (saved === undefined) throw new Re2Unsupported("unexpected ): unbalanced parentheses");
  st.pos += 1;
  st.flags = saved;
  st.out.push(")");
}

/** Assertions as emitted; JavaScript `u` mode cannot repeat them bare, Go can. */
const ASSERTIONS = new Set(["^", "$", "\\b", "\\B", "(?<![^\\n])", "(?![^\\n])"]);

function quantifier(st: State, op: string): void {
  st.pos += op.length;
  const last = st.out.at(-1);
  if (last !== undefined && ASSERTIONS.has(last)) st.out[st.out.length - 1] = `(?:${last})`;
  let lazy = false;
  if (peek(st) === "?") {
    st.pos += 1;
    lazy = true;
  }
  const greedy = st.flags.U ? lazy : !lazy;
  st.out.push(op + (greedy ? "" : "?"));
}

function brace(st: State): void {
  const m = REPEAT.exec(st.src.slice(st.pos));
  if (m === null) {
    st.pos += 1;
    st.out.push("\\{");
    return;
  }
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === "" || m[3] === undefined ? -1 : Number(m[3]);
  if (min > RE2_MAX_REPEAT || max > RE2_MAX_REPEAT || (max >= 0 && min > max)) {
    throw new Re2Unsupported(`invalid repeat count ${m[0]} (go re2 allows at most ${RE2_MAX_REPEAT})`);
  }
  quantifier(st, m[0]);
}

function quote(st: State): void {
  const end = st.src.indexOf("\\E", st.pos);
  const text = st.src.slice(st.pos, end < 0 ? undefined : end);
  st.pos = end < 0 ? st.src.length : end + 2;
  for (const ch of text) st.out.push(literal(ch.codePointAt(0) ?? 0));
}

function escape(st: State): void {
  st.pos += 1;
  const c = peek(st);
  if (c === undefined) throw new Re2Unsupported("trailing backslash at end of expression");
  st.pos += c.length;
  const fixed: Readonly<Record<string, string>> = { A: "^", z: "$", b: "\\b", B: "\\B", d: "\\d", D: "\\D", w: "\\w", W: "\\W" };
  const simple = fixed[c];
  if (simple !== undefined) st.out.push(simple);
  else if (c === "s") st.out.push(`[${GO_SPACE}]`);
  else if (c === "S") st.out.push(`[^${GO_SPACE}]`);
  else if (c === "p" || c === "P") st.out.push(property(c === "P", st));
  else if (c === "Q") quote(st);
  else if (c === "C") throw new Re2Unsupported("\\C (any byte) is not supported");
  else st.out.push(literal(charEscape(c, st)));
}

function charClass(st: State): void {
  st.out.push(parseClass(st));
}

const HANDLERS: Readonly<Record<string, (st: State) => void>> = {
  "(": group,
  ")": closeGroup,
  "[": charClass,
  "\\": escape,
  "*": (st) => {
    quantifier(st, "*");
  },
  "+": (st) => {
    quantifier(st, "+");
  },
  "?": (st) => {
    quantifier(st, "?");
  },
  "{": brace,
};

function plain(st: State, c: string): string {
  if (c === "|") return "|";
  if (c === ".") return st.flags.s ? "[\\s\\S]" : "[^\\n]";
  if (c === "^") return st.flags.m ? "(?<![^\\n])" : "^";
  if (c === "$") return st.flags.m ? "(?![^\\n])" : "$";
  return literal(c.codePointAt(0) ?? 0);
}

function step(st: State): void {
  const c = peek(st) ?? "";
  const handler = HANDLERS[c];
  if (handler !== undefined) {
    handler(st);
    return;
  }
  st.pos += c.length;
  st.out.push(plain(st, c));
}

function translate(pattern: string): Re2Translation {
  const st: State = { src: pattern, pos: 0, out: [], stack: [], flags: { i: false, m: false, s: false, U: false }, ignoreCase: false };
  while (st.pos < pattern.length) step(st);
  if (st.stack.length > 0) throw new Re2Unsupported("missing closing )");
  const source = st.out.join("");
  const flags = st.ignoreCase ? "iu" : "u";
  new RegExp(source, flags);
  return { source, flags };
}

/**
 * Translate a Go RE2 pattern into JavaScript RegExp source and flags.
 * @throws SigilError `config.invalid` when Go would reject the pattern
 *   (look-around, back-references, `\Z`, bad escapes or repeat counts) or
 *   JavaScript cannot express it; the message names the pattern and why.
 */
export function translateRe2(pattern: string, context: { readonly subject?: string; readonly field?: string } = {}): Re2Translation {
  try {
    return translate(pattern);
  } catch (cause) {
    const why = cause instanceof Re2Unsupported ? cause.message : `not a valid pattern (${(cause as Error).message})`;
    const where = context.field === undefined ? "" : `${context.field}: `;
    throw new SigilError("config.invalid", `${where}the regex ${JSON.stringify(pattern)} cannot be used: ${why}`, { subject: context.subject, cause });
  }
}

/**
 * Compile a Go RE2 pattern into a JavaScript RegExp that matches the same
 * strings (unanchored, like Go's `MatchString`).
 * @throws SigilError `config.invalid`, as `translateRe2`.
 */
export function compileRe2(pattern: string, context: { readonly subject?: string; readonly field?: string } = {}): RegExp {
  const { source, flags } = translateRe2(pattern, context);
  return new RegExp(source, flags);
}
