// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Go RE2 bracket expressions (`[a-z]`, `[^\s]`, `[[:alpha:]]`, `[\p{Greek}]`)
 * as JavaScript `u`-mode classes.
 */
import { GO_NOT_SPACE_IN_CLASS, GO_SPACE, POSIX_CLASSES, Re2Unsupported, charEscape, classLiteral, next, peek, property } from "./re2-escapes.js";
import type { Cursor } from "./re2-escapes.js";

type ClassAtom = { readonly cp: number } | { readonly set: string };

function classAtom(st: Cursor): ClassAtom {
  const c = next(st);
  if (c !== "\\") return { cp: c.codePointAt(0) ?? 0 };
  const e = next(st);
  if ("dDwW".includes(e)) return { set: `\\${e}` };
  if (e === "s") return { set: GO_SPACE };
  if (e === "S") return { set: GO_NOT_SPACE_IN_CLASS };
  if (e === "p" || e === "P") return { set: property(e === "P", st) };
  return { cp: charEscape(e, st) };
}

function posix(st: Cursor): { body: string; negated: boolean } | undefined {
  const m = /^\[:(\^?)([a-z]+):\]/.exec(st.src.slice(st.pos));
  if (m === null) return undefined;
  const body = POSIX_CLASSES[m[2] ?? ""];
  if (body === undefined) throw new Re2Unsupported(`invalid character class range ${m[0]}`);
  st.pos += m[0].length;
  return { body, negated: m[1] === "^" };
}

function classItem(st: Cursor, items: string[], negatedPosix: string[]): void {
  const p = peek(st) === "[" ? posix(st) : undefined;
  if (p !== undefined) {
    (p.negated ? negatedPosix : items).push(p.body);
    return;
  }
  const lo = classAtom(st);
  if ("cp" in lo && peek(st) === "-" && peek(st, 1) !== undefined && peek(st, 1) !== "]") {
    st.pos += 1;
    const hi = classAtom(st);
    if (!("cp" in hi) || hi.cp < lo.cp) throw new Re2Unsupported("invalid character class range");
    items.push(`${classLiteral(lo.cp)}-${classLiteral(hi.cp)}`);
    return;
  }
  items.push("cp" in lo ? classLiteral(lo.cp) : lo.set);
}

/**
 * A bracket expression (the cursor on its `[`) as a JavaScript class.
 * @throws Re2Unsupported for invalid ranges or escapes, a missing `]`, or a
 *   negated POSIX class mixed with other items.
 */
export function parseClass(st: Cursor): string {
  st.pos += 1;
  let negate = false;
  if (peek(st) === "^") {
    st.pos += 1;
    negate = true;
  }
  const items: string[] = [];
  const negatedPosix: string[] = [];
  for (let first = true; ; first = false) {
    const c = peek(st);
    if (c === undefined) throw new Re2Unsupported("missing closing ]");
    if (c === "]" && !first) break;
    classItem(st, items, negatedPosix);
  }
  st.pos += 1;
  if (negatedPosix.length > 0) {
    if (items.length > 0 || negatedPosix.length > 1) {
      throw new Re2Unsupported("a negated posix class ([:^name:]) mixed with other class items is not supported");
    }
    negate = !negate;
    items.push(...negatedPosix);
  }
  return `[${negate ? "^" : ""}${items.join("")}]`;
}
