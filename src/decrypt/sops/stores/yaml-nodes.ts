/**
 * Tree → YAML node conversion as sops' YAML store does it
 * (`appendTreeBranch`/`appendSequence`/`treeValueToNode`): comment entries
 * become head comments of the next key or item (or of the collection when
 * they come first), inline comments become line comments of the next value,
 * trailing comments become the foot comment of the last key or item.
 */
import { formatFloatYaml } from "../codec/go-format.js";
import { Comment, SopsTime, TreeMap, isSeq } from "../tree/model.js";
import type { TreeSeq, TreeValue } from "../tree/model.js";
import { canBePlainString } from "./yaml-resolve.js";
import type { Style } from "./yaml-writer.js";

interface Comments {
  head: string[];
  line: string[];
  foot: string[];
}

export interface ScalarNode extends Comments {
  readonly kind: "scalar";
  readonly value: string;
  /** The style go-yaml's encoder asks for (the emitter may still change it). */
  readonly style: Style;
  readonly tag: string | undefined;
}

export interface MapNode extends Comments {
  readonly kind: "map";
  readonly entries: { key: ScalarNode; value: YNode }[];
}

export interface SeqNode extends Comments {
  readonly kind: "seq";
  readonly items: YNode[];
}

export type YNode = ScalarNode | MapNode | SeqNode;

const noComments = (): Comments => ({ head: [], line: [], foot: [] });

/** go-yaml's `encodeBase64` for !!binary: 70-column lines (each ending in a break) once longer than one line. */
function encodeBase64(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString("base64");
  const lines = Math.floor(b64.length / 70) + 1;
  if (lines === 1) return b64;
  let out = "";
  for (let i = 0; i < b64.length; i += 70) out += `${b64.slice(i, i + 70)}\n`;
  return out;
}

function scalar(value: string, style: Style, tag?: string): ScalarNode {
  return { kind: "scalar", value, style, tag, ...noComments() };
}

/** A string as go-yaml's encoder presents it (literal if multi-line, plain if it reads back as a string, else double-quoted). */
export function stringNode(s: string): ScalarNode {
  if (s.includes("\n")) return scalar(s, "literal");
  return scalar(s, canBePlainString(s) ? "plain" : "double");
}

function scalarNode(v: Exclude<TreeValue, TreeMap | TreeSeq>): ScalarNode {
  if (v === null) return scalar("null", "plain");
  if (typeof v === "string") return stringNode(v);
  if (typeof v === "bigint") return scalar(v.toString(), "plain");
  if (typeof v === "number") return scalar(formatFloatYaml(v), "plain");
  if (typeof v === "boolean") return scalar(v ? "true" : "false", "plain");
  if (v instanceof SopsTime) return scalar(v.text, "plain");
  const b64 = encodeBase64(v);
  return scalar(b64, b64.includes("\n") ? "literal" : "plain", "!!binary");
}

function addHead(node: Comments, comments: string[]): void {
  if (comments.length > 0) node.head = [...comments, ...node.head];
}

/** Convert a tree value to a node. */
export function toNode(v: TreeValue): YNode {
  if (v instanceof TreeMap) return mapNode(v);
  if (isSeq(v)) return seqNode(v);
  return scalarNode(v);
}

/** Convert a mapping, placing its comment entries as sops does. */
export function mapNode(map: TreeMap): MapNode {
  const node: MapNode = { kind: "map", entries: [], ...noComments() };
  let head: string[] = [];
  let inline: string[] = [];
  let beginning = true;
  for (const item of map.items) {
    if (item.key instanceof Comment) {
      (item.key.inline ? inline : head).push(item.key.value);
      continue;
    }
    if (beginning) {
      addHead(node, head);
      head = [];
      beginning = false;
    }
    const key = stringNode(item.key);
    addHead(key, head);
    head = [];
    const value = toNode(item.value);
    value.line.push(...inline);
    inline = [];
    node.entries.push({ key, value });
  }
  head.push(...inline);
  if (head.length > 0) {
    const last = node.entries[node.entries.length - 1];
    if (last === undefined) addHead(node, head);
    else last.key.foot.push(...head);
  }
  return node;
}

function seqNode(seq: TreeSeq): SeqNode {
  const node: SeqNode = { kind: "seq", items: [], ...noComments() };
  let head: string[] = [];
  let inline: string[] = [];
  let beginning = true;
  for (const item of seq) {
    if (item instanceof Comment) {
      (item.inline ? inline : head).push(item.value);
      continue;
    }
    if (beginning) {
      addHead(node, head);
      head = [];
      beginning = false;
    }
    const child = toNode(item);
    addHead(child, head);
    head = [];
    child.line.push(...inline);
    inline = [];
    node.items.push(child);
  }
  head.push(...inline);
  if (head.length > 0) {
    const last = node.items[node.items.length - 1];
    if (last === undefined) addHead(node, head);
    else last.foot.push(...head);
  }
  return node;
}
