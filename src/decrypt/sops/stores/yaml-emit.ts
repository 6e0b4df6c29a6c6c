/**
 * The YAML writer: the tree is turned into nodes as sops does, the nodes
 * into events as go-yaml v3's encoder does (including how a key's foot
 * comment travels to the next key as a "tail"), and the events are written
 * by a port of the parts of go-yaml's emitter state machine sops exercises
 * (block mappings and sequences, empty flow collections, scalars, comments).
 * Output is byte-identical to sops for the trees sops itself produces.
 */
import type { Branches } from "../tree/model.js";
import { mapNode } from "./yaml-nodes.js";
import type { ScalarNode, YNode } from "./yaml-nodes.js";
import { Writer, analyzeScalar, selectStyle } from "./yaml-writer.js";

type EvType = "docStart" | "docEnd" | "mapStart" | "mapEnd" | "seqStart" | "seqEnd" | "scalar" | "streamEnd";

interface Ev {
  readonly t: EvType;
  readonly head?: readonly string[];
  readonly line?: readonly string[];
  readonly foot?: readonly string[];
  readonly tail?: readonly string[];
  readonly scalar?: ScalarNode;
}

type State =
  | "firstDocStart" | "docStart" | "docContent" | "docEnd"
  | "blockSeqFirstItem" | "blockSeqItem" | "blockMapFirstKey" | "blockMapKey"
  | "blockMapSimpleValue" | "blockMapValue" | "flowSeqFirstItem" | "flowMapFirstKey" | "end";

function events(node: YNode, tail: readonly string[], out: Ev[]): void {
  if (node.kind === "scalar") {
    out.push({ t: "scalar", scalar: node, head: node.head, line: node.line, foot: node.foot, tail });
    return;
  }
  if (node.kind === "seq") {
    out.push({ t: "seqStart", head: node.head });
    for (const item of node.items) events(item, [], out);
    out.push({ t: "seqEnd", line: node.line, foot: node.foot });
    return;
  }
  out.push({ t: "mapStart", head: node.head, tail });
  let pending: readonly string[] = [];
  for (const { key, value } of node.entries) {
    events({ ...key, foot: [] }, pending, out);
    pending = key.foot;
    events(value, [], out);
  }
  out.push({ t: "mapEnd", tail: pending, line: node.line, foot: node.foot });
}

class Emitter {
  readonly w: Writer;
  state: State = "firstDocStart";
  readonly states: State[] = [];
  head: readonly string[] = [];
  line: readonly string[] = [];
  foot: readonly string[] = [];
  tail: readonly string[] = [];
  keyLine: readonly string[] = [];
  flowLevel = 0;
  simpleKey = false;
  openEnded = 0;
  next: Ev | undefined;

  constructor(indent: number) {
    this.w = new Writer(indent);
  }

  run(evs: readonly Ev[]): string {
    evs.forEach((e, i) => {
      this.next = evs[i + 1];
      if (e.head?.length) this.head = e.head;
      if (e.line?.length) this.line = e.line;
      if (e.foot?.length) this.foot = e.foot;
      if (e.tail?.length) this.tail = e.tail;
      this.dispatch(e);
    });
    return this.w.text();
  }

  popState(): void {
    this.state = this.states.pop() ?? "end";
  }

  dispatch(e: Ev): void {
    switch (this.state) {
      case "firstDocStart":
      case "docStart":
        { this.documentStart(e, this.state === "firstDocStart"); return; }
      case "docContent":
        this.states.push("docEnd");
        { this.node(e, false); return; }
      case "docEnd":
        { this.documentEnd(); return; }
      case "blockSeqFirstItem":
      case "blockSeqItem":
        { this.blockSeqItem(e, this.state === "blockSeqFirstItem"); return; }
      case "blockMapFirstKey":
      case "blockMapKey":
        { this.blockMapKey(e, this.state === "blockMapFirstKey"); return; }
      case "blockMapSimpleValue":
      case "blockMapValue":
        { this.blockMapValue(e, this.state === "blockMapSimpleValue"); return; }
      case "flowSeqFirstItem":
      case "flowMapFirstKey":
        { this.flowEmpty(this.state === "flowSeqFirstItem" ? "]" : "}"); return; }
      default:
        return;
    }
  }

  documentStart(e: Ev, first: boolean): void {
    if (e.t === "streamEnd") {
      // go-yaml v3 (as sops uses it) writes no "..." after a final `|+` scalar.
      this.state = "end";
      return;
    }
    if (!first) {
      this.w.writeIndent();
      this.w.writeIndicator("---", true, false, false);
      this.openEnded = 0;
      this.w.writeIndent();
    }
    this.state = "docContent";
  }

  documentEnd(): void {
    this.w.footIndent = 0;
    this.processFoot();
    this.w.footIndent = -1;
    this.w.writeIndent();
    if (this.openEnded === 0) this.openEnded = 1;
    this.state = "docStart";
  }

  node(e: Ev, simpleKey: boolean): void {
    this.simpleKey = simpleKey;
    if (e.t === "scalar" && e.scalar !== undefined) { this.scalar(e.scalar); return; }
    const empty = this.next?.t === (e.t === "seqStart" ? "seqEnd" : "mapEnd");
    if (e.t === "seqStart") this.state = this.flowLevel > 0 || empty ? "flowSeqFirstItem" : "blockSeqFirstItem";
    else this.state = this.flowLevel > 0 || empty ? "flowMapFirstKey" : "blockMapFirstKey";
  }

  scalar(s: ScalarNode): void {
    const a = analyzeScalar(s.value);
    const style = selectStyle(selectStyle(s.style, a, s.value, false), a, s.value, this.simpleKey);
    if (s.tag !== undefined) {
      if (!this.w.whitespace) this.w.put(" ");
      this.w.put(s.tag);
      this.w.whitespace = false;
      this.w.indention = false;
    }
    this.w.increaseIndent(true, this.states[this.states.length - 1] === "blockSeqItem");
    if (style === "plain") this.w.writePlain(s.value);
    else if (style === "single") this.w.writeSingle(s.value);
    else if (style === "double") this.w.writeDouble(s.value);
    else {
      this.openEnded = 0;
      this.w.writeLiteralHeader(s.value);
      if (s.value.endsWith("\n") && (s.value === "\n" || s.value.endsWith("\n\n"))) this.openEnded = 2;
      this.processLine(true);
      this.w.writeLiteralBody(s.value);
    }
    if (style !== "literal") this.openEnded = 0;
    this.w.popIndent();
    this.popState();
  }

  processHead(): void {
    if (this.tail.length > 0) {
      this.w.writeIndent();
      this.w.writeComment(this.tail);
      this.tail = [];
      this.w.footIndent = Math.max(this.w.indent, 0);
    }
    if (this.head.length === 0) return;
    this.w.writeIndent();
    this.w.writeComment(this.head);
    this.head = [];
  }

  processLine(linebreak = false): void {
    if (this.line.length === 0) {
      if (linebreak) this.w.putBreak();
      return;
    }
    if (!this.w.whitespace) this.w.put(" ");
    this.w.writeComment(this.line);
    this.line = [];
  }

  processFoot(): void {
    if (this.foot.length === 0) return;
    this.w.writeIndent();
    this.w.writeComment(this.foot);
    this.foot = [];
    this.w.footIndent = Math.max(this.w.indent, 0);
  }

  blockSeqItem(e: Ev, first: boolean): void {
    if (first) this.w.increaseIndent(false, this.states[this.states.length - 1] === "blockSeqItem");
    if (e.t === "seqEnd") {
      this.w.popIndent();
      this.popState(); return;
    }
    this.processHead();
    this.w.writeIndent();
    this.w.writeIndicator("-", true, false, true);
    this.states.push("blockSeqItem");
    this.node(e, false);
    this.processLine();
    this.processFoot();
  }

  simpleKeyOk(e: Ev): boolean {
    if (e.t !== "scalar" || e.scalar === undefined) return false;
    const length = Buffer.byteLength(e.scalar.value, "utf8") + (e.scalar.tag?.length ?? 0);
    return !analyzeScalar(e.scalar.value).multiline && length <= 128;
  }

  blockMapKey(e: Ev, first: boolean): void {
    if (first) this.w.increaseIndent(false, this.states[this.states.length - 1] === "blockSeqItem");
    this.processHead();
    if (e.t === "mapEnd") {
      this.w.popIndent();
      this.popState(); return;
    }
    this.w.writeIndent();
    if (this.line.length > 0) {
      this.keyLine = this.line;
      this.line = [];
    }
    if (this.simpleKeyOk(e)) {
      this.states.push("blockMapSimpleValue");
      this.node(e, true); return;
    }
    this.w.writeIndicator("?", true, false, true);
    this.states.push("blockMapValue");
    this.node(e, false);
  }

  blockMapValue(e: Ev, simple: boolean): void {
    if (simple) this.w.writeIndicator(":", false, false, false);
    else {
      this.w.writeIndent();
      this.w.writeIndicator(":", true, false, true);
    }
    if (this.keyLine.length > 0) {
      if (e.t === "scalar") {
        if (this.line.length === 0) {
          this.line = this.keyLine;
          this.keyLine = [];
        }
      } else if (e.t === "mapStart" || e.t === "seqStart") {
        const own = this.line;
        this.line = this.keyLine;
        this.processLine();
        this.line = own;
        this.keyLine = [];
      }
    }
    this.states.push("blockMapKey");
    this.node(e, false);
    this.processLine();
    this.processFoot();
  }

  flowEmpty(close: "]" | "}"): void {
    this.w.writeIndicator(close === "]" ? "[" : "{", true, true, false);
    if (close === "}") this.processHead();
    this.w.writeIndicator(close, false, false, false);
    this.processLine();
    this.processFoot();
    this.popState();
  }
}

/** Emit branches as YAML documents the way sops does (default indent 4). */
export function emitYaml(branches: Branches, indent = 4): Uint8Array {
  const evs: Ev[] = [];
  for (const branch of branches) {
    evs.push({ t: "docStart" });
    events(mapNode(branch), [], evs);
    evs.push({ t: "docEnd" });
  }
  evs.push({ t: "streamEnd" });
  return Buffer.from(new Emitter(indent).run(evs), "utf8");
}
