/**
 * The low-level output side of a go-yaml v3 style emitter: columns and
 * indentation, indicators, comments, and the scalar styles with go-yaml's
 * analysis of which styles a string allows. Lines are never folded (go-yaml
 * v3 writes with an unlimited width).
 */

/** Scalar presentation styles. */
export type Style = "plain" | "single" | "double" | "literal";

/** What a string allows, as go-yaml's `yaml_emitter_analyze_scalar` computes it. */
export interface ScalarAnalysis {
  readonly multiline: boolean;
  readonly blockPlain: boolean;
  readonly single: boolean;
  readonly block: boolean;
}

/** go-yaml's `is_printable` on code points (note: it rejects everything above U+FFFF). */
function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

const FIRST_INDICATORS = new Set("#,[]{}&*!|>'\"%@`");

function isBlankz(cp: number | undefined): boolean {
  return cp === undefined || cp === 0 || cp === 0x20 || cp === 0x09 || cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function isBreakCp(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

const SIMPLE_ASCII = /^[^\s#,[\]{}&*!|>'"%@`?:-][\x20-\x7e]*$/;
const SIMPLE_BREAKERS = /: |:$| #| $/;
const PLAIN_ANALYSIS: ScalarAnalysis = { multiline: false, blockPlain: true, single: true, block: true };

/** Analyse a string the way go-yaml does before choosing its style. */
export function analyzeScalar(value: string): ScalarAnalysis {
  if (value === "") return { multiline: false, blockPlain: true, single: true, block: false };
  // Fast path: printable ASCII with no indicator at the start and no `: `, ` #` or trailing blank.
  if (SIMPLE_ASCII.test(value) && !SIMPLE_BREAKERS.test(value) && !value.startsWith("...")) return PLAIN_ANALYSIS;
  return analyzeSlow(value);
}

function analyzeSlow(value: string): ScalarAnalysis {
  let blockIndicators = value.startsWith("---") || value.startsWith("...");
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let prevSpace = false;
  let prevBreak = false;
  const cps = Array.from(value, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] ?? 0;
    const followedByWs = isBlankz(cps[i + 1]);
    if (i === 0) {
      if (FIRST_INDICATORS.has(String.fromCodePoint(cp))) blockIndicators = true;
      if ((cp === 0x3f || cp === 0x3a || cp === 0x2d) && followedByWs) blockIndicators = true;
    } else {
      if (cp === 0x3a && followedByWs) blockIndicators = true;
      if (cp === 0x23 && precededByWs) blockIndicators = true;
    }
    if (!isPrintable(cp)) special = true;
    if (cp === 0x09) tabs = true;
    if (cp === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreakCp(cp)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlankz(cp);
  }
  const blockPlain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || breakSpace || spaceBreak || tabs || special || lineBreaks || blockIndicators);
  const single = !(breakSpace || spaceBreak || tabs || special);
  const block = !(trailingSpace || spaceBreak || special);
  return { multiline: lineBreaks, blockPlain, single, block };
}

/** go-yaml's final style choice for a requested style in block context. */
export function selectStyle(requested: Style, a: ScalarAnalysis, value: string, simpleKey: boolean): Style {
  let style = requested;
  if (simpleKey && a.multiline) style = "double";
  if (style === "plain" && (!a.blockPlain || (value === "" && simpleKey))) style = "single";
  if (style === "single" && !a.single) style = "double";
  if (style === "literal" && (!a.block || simpleKey)) style = "double";
  return style;
}

const DQ_SHORT: Record<number, string> = {
  0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0a: "n", 0x0b: "v", 0x0c: "f", 0x0d: "r", 0x1b: "e",
  0x22: '"', 0x5c: "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
};

/** The body of a double-quoted scalar (without quotes), escaped as go-yaml does. */
export function doubleQuotedBody(value: string): string {
  let out = "";
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    const needs = !isPrintable(cp) || cp === 0xfeff || cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029 || cp === 0x22 || cp === 0x5c;
    if (!needs) {
      out += ch;
      continue;
    }
    const short = DQ_SHORT[cp];
    if (short !== undefined) out += `\\${short}`;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).toUpperCase().padStart(8, "0")}`;
  }
  return out;
}

/** The emitter's output state and primitives (put, breaks, indentation, indicators, comments). */
export class Writer {
  readonly parts: string[] = [];
  column = 0;
  whitespace = true;
  indention = true;
  indent = -1;
  readonly indents: number[] = [];
  footIndent = -1;

  constructor(readonly best: number) {}

  put(s: string): void {
    this.parts.push(s);
    this.column += s.length;
  }

  putBreak(): void {
    this.parts.push("\n");
    this.column = 0;
    this.indention = true;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    if (this.footIndent === indent) this.putBreak();
    if (this.column < indent) this.put(" ".repeat(indent - this.column));
    this.whitespace = true;
    this.footIndent = -1;
  }

  writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  /** Comment lines (each without its `#`), written one per line at the current indent, then a break. */
  writeComment(lines: readonly string[]): void {
    lines.forEach((line, i) => {
      if (i > 0) this.writeIndent();
      this.put(`#${line}`);
      this.indention = false;
      this.putBreak();
    });
    this.whitespace = true;
  }

  /** Move to a deeper indentation level (`seqItem`: the first level inside a sequence entry just skips `- `). */
  increaseIndent(flow: boolean, inSeqItem: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? this.best : 0;
    else if (inSeqItem) this.indent += 2;
    else this.indent = this.best * Math.floor((this.indent + this.best) / this.best);
  }

  popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  writePlain(value: string): void {
    if (value.length > 0 && !this.whitespace) this.put(" ");
    this.put(value);
    this.whitespace = false;
    this.indention = false;
  }

  writeSingle(value: string): void {
    this.writeIndicator("'", true, false, false);
    this.put(value.replaceAll("'", "''"));
    this.writeIndicator("'", false, false, false);
  }

  writeDouble(value: string): void {
    this.writeIndicator('"', true, false, false);
    this.put(doubleQuotedBody(value));
    this.writeIndicator('"', false, false, false);
  }

  /** `|` with hints; the caller writes the line comment (if any) and the break, then `writeLiteralBody`. */
  writeLiteralHeader(value: string): void {
    this.writeIndicator("|", true, false, false);
    if (value.startsWith(" ") || value.startsWith("\n")) this.put(String(this.best));
    let chomp = "";
    if (value === "" || !value.endsWith("\n")) chomp = "-";
    else if (value === "\n" || value.endsWith("\n\n")) chomp = "+";
    this.put(chomp);
  }

  writeLiteralBody(value: string): void {
    this.whitespace = true;
    let breaks = true;
    for (const line of value.split(/(\n)/)) {
      if (line === "") continue;
      if (line === "\n") {
        this.putBreak();
        breaks = true;
        continue;
      }
      if (breaks) this.writeIndent();
      this.put(line);
      this.indention = false;
      breaks = false;
    }
  }

  text(): string {
    return this.parts.join("");
  }
}
