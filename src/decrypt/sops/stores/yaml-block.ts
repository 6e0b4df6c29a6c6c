/**
 * Block scalars (`|`, `>`) and flow collections (`[...]`, `{...}`).
 */
import { MAX_NESTING_DEPTH } from "../../../core/index.js";
import { Comment, TreeMap } from "../tree/model.js";
import type { MapItem, TreeSeq, TreeValue } from "../tree/model.js";
import { Cursor, plainEndsAt, scanDoubleQuoted, scanPlainLine, scanSingleQuoted } from "./yaml-scalars.js";

interface BlockHeader {
  readonly folded: boolean;
  readonly chomp: "clip" | "strip" | "keep";
  readonly indent: number;
}

function readHeader(cur: Cursor): BlockHeader {
  const folded = cur.ch() === ">";
  cur.pos++;
  let chomp: BlockHeader["chomp"] = "clip";
  let indent = 0;
  for (let i = 0; i < 2; i++) {
    const c = cur.ch();
    if (c === "-" || c === "+") {
      chomp = c === "-" ? "strip" : "keep";
      cur.pos++;
    } else if (c >= "1" && c <= "9") {
      indent = Number(c);
      cur.pos++;
    }
  }
  return { folded, chomp, indent };
}

interface BlockLines {
  readonly lines: string[];
  /** Did the last line end with a line break? */
  readonly finalBreak: boolean;
}

function lineIndent(src: string, at: number): number {
  let i = at;
  while (src.charCodeAt(i) === 0x20) i++;
  return i - at;
}

function readBlockLines(cur: Cursor, parentIndent: number, explicit: number): BlockLines {
  const src = cur.src;
  let contentIndent = explicit > 0 ? Math.max(parentIndent, 0) + explicit : -1;
  const lines: string[] = [];
  let finalBreak = true;
  while (cur.pos < src.length) {
    const start = cur.pos;
    const nl = src.indexOf("\n", start);
    const end = nl === -1 ? src.length : nl;
    const raw = src.slice(start, end).replace(/\r$/, "");
    const ind = lineIndent(src, start);
    const blank = raw.trim() === "";
    if (!blank) {
      if (contentIndent < 0) contentIndent = ind > parentIndent ? ind : Number.MAX_SAFE_INTEGER;
      if (ind < contentIndent) break;
    }
    lines.push(blank && raw.length <= Math.max(contentIndent, 0) ? "" : raw.slice(Math.max(contentIndent, 0)));
    finalBreak = nl !== -1;
    cur.pos = nl === -1 ? src.length : nl + 1;
  }
  return { lines, finalBreak };
}

function foldLines(lines: string[]): string {
  let out = "";
  let started = false;
  let empties = 0;
  let prevMore = false;
  for (const line of lines) {
    if (line === "") {
      empties++;
      continue;
    }
    const more = line.startsWith(" ") || line.startsWith("\t");
    if (!started) out += "\n".repeat(empties);
    else if (empties === 0) out += prevMore || more ? "\n" : " ";
    else out += (prevMore || more ? "\n" : "") + "\n".repeat(empties);
    out += line;
    started = true;
    empties = 0;
    prevMore = more;
  }
  return out;
}

/**
 * Scan a block scalar starting at its indicator. Returns the text and the
 * header line's comment, if any. `parentIndent` is the indent of the
 * collection that holds it.
 */
export function scanBlockScalar(cur: Cursor, parentIndent: number): { text: string; comment: string | undefined } {
  const header = readHeader(cur);
  cur.skipSpaces();
  let comment: string | undefined;
  if (cur.ch() === "#") {
    const nl = cur.src.indexOf("\n", cur.pos);
    comment = cur.src.slice(cur.pos + 1, nl === -1 ? undefined : nl).replace(/\r$/, "");
  } else if (!cur.atEol()) cur.fail("unexpected text after a block scalar indicator");
  cur.nextLine();
  const { lines, finalBreak } = readBlockLines(cur, parentIndent, header.indent);
  let last = lines.length - 1;
  while (last >= 0 && lines[last] === "") last--;
  const content = lines.slice(0, last + 1);
  const trailing = lines.length - 1 - last;
  const core = header.folded ? foldLines(content) : content.join("\n");
  if (content.length === 0) return { text: header.chomp === "keep" ? "\n".repeat(lines.length) : "", comment };
  const hasBreak = trailing > 0 || finalBreak;
  if (header.chomp === "strip" || !hasBreak) return { text: core, comment };
  if (header.chomp === "clip") return { text: `${core}\n`, comment };
  return { text: `${core}\n${"\n".repeat(finalBreak ? trailing : Math.max(trailing - 1, 0))}`, comment };
}

/** What the flow parser needs from the block parser: plain-scalar typing, properties and aliases. */
export interface FlowHost {
  scalar(text: string, plain: boolean, tag: string | undefined): TreeValue;
  properties(): { anchor: string | undefined; tag: string | undefined };
  alias(): TreeValue;
  anchor(name: string | undefined, v: TreeValue): void;
  key(v: TreeValue): string;
}

function skipFlowSpace(cur: Cursor, comments: string[]): void {
  for (;;) {
    const c = cur.ch();
    if (c === " " || c === "\t" || c === "\n" || c === "\r") cur.pos++;
    else if (c === "#") {
      const nl = cur.src.indexOf("\n", cur.pos);
      comments.push(cur.src.slice(cur.pos + 1, nl === -1 ? undefined : nl).replace(/\r$/, ""));
      cur.pos = nl === -1 ? cur.src.length : nl;
    } else return;
  }
}

function flowPlain(cur: Cursor): string {
  let out = scanPlainLine(cur, true);
  for (;;) {
    const save = cur.pos;
    cur.skipSpaces();
    if (!cur.atEol() || cur.eof()) return (cur.pos = save), out;
    cur.nextLine();
    cur.skipSpaces();
    if (cur.ch() === "#" || plainEndsAt(cur, cur.pos, true)) return (cur.pos = save), out;
    out += ` ${scanPlainLine(cur, true)}`;
  }
}

function flowNode(cur: Cursor, host: FlowHost, depth: number): TreeValue {
  if (depth >= MAX_NESTING_DEPTH) cur.fail(`the document nests deeper than ${MAX_NESTING_DEPTH} levels`);
  const { anchor, tag } = host.properties();
  const c = cur.ch();
  let v: TreeValue;
  if (c === "*") v = host.alias();
  else if (c === "[") v = flowSeq(cur, host, depth + 1);
  else if (c === "{") v = flowMap(cur, host, depth + 1);
  else if (c === '"') v = host.scalar(scanDoubleQuoted(cur), false, tag);
  else if (c === "'") v = host.scalar(scanSingleQuoted(cur), false, tag);
  else if (c === "," || c === "]" || c === "}" || c === ":") v = tag === undefined ? null : host.scalar("", false, tag);
  else v = host.scalar(flowPlain(cur), true, tag);
  host.anchor(anchor, v);
  return v;
}

function isFlowColon(cur: Cursor): boolean {
  return cur.ch() === ":";
}

/** Parse `[...]` starting at `[`. */
export function flowSeq(cur: Cursor, host: FlowHost, depth = 0): TreeSeq {
  const start = cur.pos++;
  const out: TreeSeq = [];
  const comments: string[] = [];
  for (;;) {
    skipFlowSpace(cur, comments);
    out.push(...comments.splice(0).map((c) => new Comment(c)));
    if (cur.ch() === "]") return cur.pos++, out;
    if (cur.eof()) cur.fail("unterminated flow sequence", start);
    let v = flowNode(cur, host, depth);
    skipFlowSpace(cur, comments);
    if (isFlowColon(cur)) {
      cur.pos++;
      skipFlowSpace(cur, comments);
      v = new TreeMap([{ key: host.key(v), value: flowNode(cur, host, depth) }]);
      skipFlowSpace(cur, comments);
    }
    out.push(v);
    if (cur.ch() === ",") cur.pos++;
    else if (cur.ch() !== "]") cur.fail("expected ',' or ']' in a flow sequence");
  }
}

/** Parse `{...}` starting at `{`. */
export function flowMap(cur: Cursor, host: FlowHost, depth = 0): TreeMap {
  const start = cur.pos++;
  const items: MapItem[] = [];
  const seen = new Set<string>();
  const comments: string[] = [];
  for (;;) {
    skipFlowSpace(cur, comments);
    items.push(...comments.splice(0).map((c) => ({ key: new Comment(c), value: null })));
    if (cur.ch() === "}") return cur.pos++, new TreeMap(items);
    if (cur.eof()) cur.fail("unterminated flow mapping", start);
    const key = host.key(flowNode(cur, host, depth));
    if (seen.has(key)) cur.fail("a mapping key is defined twice");
    seen.add(key);
    skipFlowSpace(cur, comments);
    let value: TreeValue = null;
    if (cur.ch() === ":") {
      cur.pos++;
      skipFlowSpace(cur, comments);
      value = flowNode(cur, host, depth);
      skipFlowSpace(cur, comments);
    }
    items.push({ key, value });
    if (cur.ch() === ",") cur.pos++;
    else if (cur.ch() !== "}") cur.fail("expected ',' or '}' in a flow mapping");
  }
}
