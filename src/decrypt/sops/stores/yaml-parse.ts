/**
 * A YAML reader for sops documents: block and flow collections, every
 * scalar style, anchors/aliases (bounded), tags, multiple documents, and
 * comments turned into tree entries at the level go-yaml v3 + sops put them:
 * a full-line comment belongs to the innermost open block whose indent it
 * reaches; comments before an entry come just before it; a value's trailing
 * comment is an inline comment just before its entry; comments after a
 * block's last entry stay in that block, except before a less-indented line,
 * where go-yaml's own rule places them (yaml-comments.ts).
 */
import { MAX_NESTING_DEPTH, SigilError } from "../../../core/index.js";
import { Comment, TreeMap } from "../tree/model.js";
import type { Branches, MapItem, TreeSeq, TreeValue } from "../tree/model.js";
import { cloneValue, countNodes, nestingDepth } from "./yaml-clone.js";
import { flowMap, flowSeq, scanBlockScalar } from "./yaml-block.js";
import { placeDedentComments } from "./yaml-comments.js";
import type { OpenBlock } from "./yaml-comments.js";
import type { FlowHost } from "./yaml-block.js";
import { resolvePlain } from "./yaml-resolve.js";
import { Cursor, isBlankOrEnd, plainEndsAt, scanDoubleQuoted, scanPlainLine, scanSingleQuoted } from "./yaml-scalars.js";
import { resolveTagged } from "./yaml-tags.js";

/** The message for input nested deeper than MAX_NESTING_DEPTH (docs/security.md). */
export const TOO_DEEP = `the document nests deeper than ${MAX_NESTING_DEPTH} levels`;

/** Characters outside YAML 1.2's c-printable set (tab, line breaks, printable ASCII, NEL, most of Unicode). */
const NON_PRINTABLE = /[^\t\n\r\u0020-\u007e\u0085\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

export interface YamlParseOptions {
  /** Most nodes alias expansion may create in total (alias-bomb bound). */
  readonly maxAliasNodes: number;
}

export function defaultYamlParseOptions(): YamlParseOptions {
  return { maxAliasNodes: 1_000_000 };
}

interface Pending {
  readonly text: string;
  readonly col: number;
  /** Set once placed before a less-indented line: index of the open block it belongs to, -1 for the block that continues. */
  owner?: number;
}

interface Inline {
  readonly value: TreeValue;
  /** The trailing comment on the value's (last) line. */
  readonly comment: string | undefined;
  /** True when the value was on the following lines (the comment was the key's). */
  readonly below: boolean;
}

class YamlParser implements FlowHost {
  readonly cur: Cursor;
  pending: Pending[] = [];
  /** The block collections open around the cursor, outermost first (indentless sequences are not blocks of their own). */
  blocks: OpenBlock[] = [];
  anchors = new Map<string, TreeValue>();
  aliasNodes = 0;

  constructor(
    src: string,
    readonly subject: string | undefined,
    readonly opts: YamlParseOptions,
  ) {
    this.cur = new Cursor(src, subject);
  }

  fail(msg: string): never {
    return this.cur.fail(msg);
  }

  /** At a line start: skip blank and comment lines (keeping comments); column of the next content, or -1 at a document end. */
  peek(): number {
    const cur = this.cur;
    for (;;) {
      if (cur.eof()) return -1;
      const lineStart = cur.pos - cur.col();
      let tab = false;
      for (let c = cur.ch(); c === " " || c === "\t"; c = cur.ch()) {
        tab ||= c === "\t";
        cur.pos++;
      }
      if (cur.atEol()) {
        cur.nextLine();
        continue;
      }
      if (cur.ch() === "#") {
        this.pending.push({ text: this.restOfLine(cur.pos + 1), col: cur.pos - lineStart });
        cur.nextLine();
        continue;
      }
      if (cur.pos === lineStart && this.isDocMarker()) return -1;
      if (tab) this.fail("tabs cannot be used for indentation");
      return cur.pos - lineStart;
    }
  }

  isDocMarker(at = this.cur.pos): boolean {
    const s = this.cur.src.slice(at, at + 3);
    return (s === "---" || s === "...") && isBlankOrEnd(this.cur.ch(at + 3));
  }

  restOfLine(from: number): string {
    const nl = this.cur.src.indexOf("\n", from);
    return this.cur.src.slice(from, nl === -1 ? undefined : nl).replace(/\r$/, "");
  }

  /** After a value: a trailing comment (returned) and the end of the line. */
  finishLine(): string | undefined {
    const cur = this.cur;
    cur.skipSpaces();
    let comment: string | undefined;
    if (cur.ch() === "#") comment = this.restOfLine(cur.pos + 1);
    else if (!cur.atEol()) this.fail("unexpected text after a value (a mapping value on the same line as another?)");
    cur.nextLine();
    return comment;
  }

  takeAll(): Pending[] {
    return this.pending.splice(0);
  }

  /** Comments that stay in a block ending at `indent`: the ones placed in block `depth`, or else the leading run reaching that column. */
  takeFoot(minCol: number, depth: number): Pending[] {
    let n = 0;
    if (this.pending[0]?.owner !== undefined) {
      while (n < this.pending.length && this.pending[n]?.owner === depth) n++;
      return this.pending.splice(0, n);
    }
    while (n < this.pending.length && (this.pending[n]?.col ?? -1) >= minCol) n++;
    return this.pending.splice(0, n);
  }

  /** Before a line at column `next` that closes the innermost block: place the comments read since its last line. */
  placeBeforeDedent(next: number): void {
    if (next < 0 || this.pending[0] === undefined || this.pending[0].owner !== undefined) return;
    const owners = placeDedentComments(this.pending.map((p) => p.col), this.blocks, next);
    this.pending.forEach((p, i) => (p.owner = owners[i] ?? -1));
  }

  /** `? key` (a complex-key entry, as go-yaml writes keys longer than 128 bytes). */
  isExplicitKey(): boolean {
    return this.cur.ch() === "?" && isBlankOrEnd(this.cur.ch(this.cur.pos + 1));
  }

  isSeqEntry(): boolean {
    return this.cur.ch() === "-" && isBlankOrEnd(this.cur.ch(this.cur.pos + 1));
  }

  /** Is there `key:` at the cursor (on this line)? */
  isKeyAhead(): boolean {
    const cur = this.cur;
    const save = cur.pos;
    try {
      const c = cur.ch();
      if (c === "[" || c === "{" || c === "*" || c === "&" || c === "!" || c === "|" || c === ">") return false;
      if ((c === "?" || c === "-") && isBlankOrEnd(cur.ch(cur.pos + 1))) return false;
      if (c === '"' || c === "'") {
        const nl = cur.src.indexOf("\n", cur.pos);
        const close = cur.src.indexOf(c, cur.pos + 1);
        if (close === -1 || (nl !== -1 && close > nl)) return false;
        if (c === '"') scanDoubleQuoted(cur);
        else scanSingleQuoted(cur);
        cur.skipSpaces();
      } else scanPlainLine(cur, false);
      return cur.ch() === ":" && isBlankOrEnd(cur.ch(cur.pos + 1));
    } finally {
      cur.pos = save;
    }
  }

  // --- FlowHost -------------------------------------------------------

  scalar(text: string, plain: boolean, tag: string | undefined): TreeValue {
    if (tag !== undefined) return resolveTagged(tag, text, (m) => this.fail(m));
    if (!plain) return text;
    const r = resolvePlain(text);
    // The text is not quoted: on `encrypt` it is a plaintext secret (a long PIN, say).
    if (r.kind === "uint64") this.fail("an integer is out of the signed 64-bit range");
    return r.value;
  }

  properties(): { anchor: string | undefined; tag: string | undefined } {
    const cur = this.cur;
    let anchor: string | undefined;
    let tag: string | undefined;
    while (cur.ch() === "&" || cur.ch() === "!") {
      const start = cur.pos;
      while (!isBlankOrEnd(cur.ch()) && !",[]{}".includes(cur.ch())) cur.pos++;
      const word = cur.src.slice(start, cur.pos);
      if (word.startsWith("&")) anchor = word.slice(1);
      else tag = word;
      cur.skipSpaces();
    }
    return { anchor, tag };
  }

  alias(): TreeValue {
    const cur = this.cur;
    const start = ++cur.pos;
    while (!isBlankOrEnd(cur.ch()) && !",[]{}".includes(cur.ch())) cur.pos++;
    const name = cur.src.slice(start, cur.pos);
    const target = this.anchors.get(name);
    if (target === undefined && !this.anchors.has(name)) this.cur.fail("an alias names an anchor that is not defined before it (an unquoted value starting with * is read as an alias: quote it)", start - 1);
    if (nestingDepth(target ?? null, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) this.cur.fail(TOO_DEEP, start - 1);
    this.aliasNodes += countNodes(target ?? null, this.opts.maxAliasNodes);
    if (this.aliasNodes > this.opts.maxAliasNodes) {
      throw new SigilError("decrypt.parse_failed", `the YAML expands aliases to more than ${this.opts.maxAliasNodes} nodes (an alias bomb?)`, {
        subject: this.subject,
      });
    }
    return cloneValue(target ?? null);
  }

  anchor(name: string | undefined, v: TreeValue): void {
    if (name !== undefined) this.anchors.set(name, v);
  }

  key(v: TreeValue): string {
    if (typeof v === "string") return v;
    return this.fail(`mapping keys must be strings (found ${v === null ? "null" : typeof v})`);
  }

  // --- block structure ------------------------------------------------

  /** A node that starts on a following line, inside a block at `parentIndent` (may be absent: null). */
  blockNode(parentIndent: number, inMapping: boolean): TreeValue {
    const col = this.peek();
    if (col < 0 || col < parentIndent) return null;
    if (col === parentIndent) return inMapping && this.isSeqEntry() ? this.blockSeq(col, true) : null;
    if (this.isSeqEntry()) return this.blockSeq(col, false);
    if (this.isKeyAhead() || this.isExplicitKey()) return this.blockMap(col);
    const v = this.inlineValue(parentIndent);
    return v.value;
  }

  blockMap(indent: number): TreeMap {
    const items: MapItem[] = [];
    const seen = new Set<string>();
    const depth = this.blocks.push({ indent, seq: false }) - 1;
    if (depth >= MAX_NESTING_DEPTH) this.fail(TOO_DEEP);
    for (;;) {
      for (const p of this.takeAll()) items.push({ key: new Comment(p.text), value: null });
      const explicit = this.isExplicitKey();
      const key = explicit ? this.explicitKey(indent) : this.mapKey();
      if (seen.has(key)) this.fail("a mapping key is defined twice");
      seen.add(key);
      const v = explicit ? this.explicitValue(indent) : this.inlineValue(indent, true);
      if (v.comment !== undefined) items.push({ key: new Comment(v.comment, !v.below), value: null });
      items.push({ key, value: v.value });
      const col = this.peek();
      if (col < indent) {
        this.placeBeforeDedent(col);
        break;
      }
      if (col > indent) this.fail("a mapping entry is indented more than the entries before it");
      if (!this.isKeyAhead() && !this.isExplicitKey()) {
        if (this.isSeqEntry()) break;
        this.fail("expected a mapping key");
      }
    }
    for (const p of this.takeFoot(indent, depth)) items.push({ key: new Comment(p.text), value: null });
    this.blocks.pop();
    return new TreeMap(items);
  }

  mapKey(): string {
    const cur = this.cur;
    const c = cur.ch();
    let key: TreeValue;
    if (c === '"') key = scanDoubleQuoted(cur);
    else if (c === "'") key = scanSingleQuoted(cur);
    else key = this.scalar(scanPlainLine(cur, false), true, undefined);
    cur.skipSpaces();
    if (cur.ch() !== ":") this.fail("expected ':' after a mapping key");
    cur.pos++;
    return this.key(key);
  }

  explicitKey(indent: number): string {
    this.cur.pos++;
    const k = this.inlineValue(indent);
    if (k.comment !== undefined) this.pending.push({ text: k.comment, col: indent });
    return this.key(k.value);
  }

  explicitValue(indent: number): Inline {
    const col = this.peek();
    if (col !== indent || this.cur.ch() !== ":" || !isBlankOrEnd(this.cur.ch(this.cur.pos + 1))) return { value: null, comment: undefined, below: true };
    this.cur.pos++;
    return this.inlineValue(indent, true);
  }

  blockSeq(indent: number, indentless: boolean): TreeSeq {
    const out: TreeSeq = [];
    const depth = indentless ? -2 : this.blocks.push({ indent, seq: true }) - 1;
    if (depth >= MAX_NESTING_DEPTH) this.fail(TOO_DEEP);
    for (;;) {
      for (const p of this.takeAll()) out.push(new Comment(p.text));
      this.cur.pos++;
      this.cur.skipSpaces();
      const col = this.cur.col();
      let value: TreeValue;
      if (this.cur.atEol() || this.cur.ch() === "#") {
        const v = this.inlineValue(indent);
        if (v.comment !== undefined) out.push(new Comment(v.comment, !v.below));
        value = v.value;
      } else if (this.isSeqEntry()) value = this.blockSeq(col, false);
      else if (this.isKeyAhead() || this.isExplicitKey()) value = this.blockMap(col);
      else {
        const v = this.inlineValue(indent);
        if (v.comment !== undefined) out.push(new Comment(v.comment, true));
        value = v.value;
      }
      out.push(value);
      const next = this.peek();
      if (next !== indent || !this.isSeqEntry()) {
        if (next > indent) this.fail("a sequence entry is indented more than the entries before it");
        if (next < indent) this.placeBeforeDedent(next);
        break;
      }
    }
    for (const p of this.takeFoot(indentless ? indent + 1 : indent, depth)) out.push(new Comment(p.text));
    if (!indentless) this.blocks.pop();
    return out;
  }

  /** A value that starts at the cursor (after `key:` or `- `), or on the following lines when the rest of the line is empty. */
  inlineValue(parentIndent: number, inMapping = false): Inline {
    const cur = this.cur;
    cur.skipSpaces();
    const { anchor, tag } = this.properties();
    if (cur.atEol() || cur.ch() === "#") {
      const comment = this.finishLine();
      const value = tag !== undefined && this.peekIsEmpty(parentIndent) ? this.scalar("", false, tag) : this.blockNode(parentIndent, inMapping);
      this.anchor(anchor, value);
      return { value, comment, below: true };
    }
    const c = cur.ch();
    let value: TreeValue;
    let comment: string | undefined;
    if (c === "|" || c === ">") {
      const b = scanBlockScalar(cur, parentIndent);
      value = tag === undefined ? b.text : this.scalar(b.text, false, tag);
      comment = b.comment;
    } else {
      if (c === "*") value = this.alias();
      else if (c === "[") value = flowSeq(cur, this, this.blocks.length);
      else if (c === "{") value = flowMap(cur, this, this.blocks.length);
      else if (c === '"') value = this.scalar(scanDoubleQuoted(cur), false, tag);
      else if (c === "'") value = this.scalar(scanSingleQuoted(cur), false, tag);
      else value = this.scalar(this.plainMultiline(parentIndent), true, tag);
      comment = this.finishLine();
    }
    this.anchor(anchor, value);
    return { value, comment, below: false };
  }

  peekIsEmpty(parentIndent: number): boolean {
    const save = this.cur.pos;
    const pending = this.pending.length;
    const col = this.peek();
    this.cur.pos = save;
    this.pending.length = pending;
    return col <= parentIndent;
  }

  /** A plain scalar that may continue on more-indented following lines (folded with spaces). */
  plainMultiline(parentIndent: number): string {
    const cur = this.cur;
    let out = scanPlainLine(cur, false);
    let breaks = 0;
    for (;;) {
      const save = cur.pos;
      cur.skipSpaces();
      if (!cur.atEol() || cur.eof()) return (cur.pos = save), out;
      cur.nextLine();
      const lineStart = cur.pos;
      cur.skipSpaces();
      if (cur.atEol() && !cur.eof()) {
        breaks++;
        continue;
      }
      const col = cur.pos - lineStart;
      if (cur.eof() || col <= parentIndent || cur.ch() === "#" || (col === 0 && this.isDocMarker(lineStart)) || plainEndsAt(cur, cur.pos, false)) {
        cur.pos = save;
        return out;
      }
      out += (breaks === 0 ? " " : "\n".repeat(breaks)) + scanPlainLine(cur, false);
      breaks = 0;
      if (cur.ch() === ":" && isBlankOrEnd(cur.ch(cur.pos + 1))) this.fail("a mapping value is not allowed inside a multi-line plain scalar");
    }
  }

  // --- documents ------------------------------------------------------

  /** Skip directives and a `---` marker; true when a document follows. */
  documentStart(): boolean {
    const cur = this.cur;
    for (;;) {
      const col = this.peek();
      if (col > 0) return true;
      if (col === 0 && cur.ch() === "%") {
        cur.nextLine();
        continue;
      }
      if (cur.eof()) return false;
      if (col === 0) return true;
      if (cur.src.startsWith("...", cur.pos)) {
        cur.nextLine();
        continue;
      }
      cur.pos += 3;
      const rest = this.finishLine();
      if (rest !== undefined) this.pending.push({ text: rest, col: 0 });
      return true;
    }
  }

  document(): TreeMap {
    const col = this.peek();
    let root: TreeValue = null;
    if (col >= 0) {
      if (this.isSeqEntry() || !(this.isKeyAhead() || this.isExplicitKey())) {
        const v = this.isSeqEntry() ? this.blockSeq(col, false) : this.inlineValue(-1).value;
        // a flow mapping (`{a: 1}`) is a mapping document too
        if (v instanceof TreeMap) root = v;
        else if (v !== null) throw new SigilError("decrypt.parse_failed", "YAML documents that are not mappings are not supported", { subject: this.subject });
      } else root = this.blockMap(col);
      if (this.peek() >= 0) this.fail("unexpected content after the document's top-level mapping");
    }
    const map = root instanceof TreeMap ? root : new TreeMap();
    for (const p of this.takeAll()) map.items.push({ key: new Comment(p.text), value: null });
    return map;
  }

  stream(): Branches {
    const out: Branches = [];
    while (this.documentStart()) {
      out.push(this.document());
      if (this.cur.eof()) break;
    }
    if (out.length === 0 && this.pending.length > 0) out.push(this.document());
    return out;
  }
}

/**
 * Parse YAML text into branches (one per document; each must be a mapping).
 * @throws SigilError `decrypt.parse_failed` for invalid YAML, duplicate keys,
 *   non-string keys, non-mapping documents or excessive alias expansion.
 */
export function parseYaml(bytes: Uint8Array, subject?: string, options: Partial<YamlParseOptions> = {}): Branches {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (text.startsWith("\ufeff")) text = text.slice(1);
  const parser = new YamlParser(text, subject, { ...defaultYamlParseOptions(), ...options });
  // go-yaml's reader accepts only YAML's printable characters, anywhere in the stream
  const bad = NON_PRINTABLE.exec(text);
  if (bad !== null) parser.cur.fail("control characters are not allowed", bad.index);
  return parser.stream();
}
