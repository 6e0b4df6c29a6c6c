/**
 * The depth-first walk sops does over a tree (docs/formats.md#a5-walk-order-and-aad, #a6-encryption-rules): every leaf is
 * visited in document order with its AAD (path keys joined by `:` plus a
 * trailing `:`; sequence indices are not part of the path), whether the
 * rule says it is encrypted, and whether it is a comment. The visitor's
 * result replaces the leaf. Null leaves are skipped.
 */
import { SigilError } from "../../../core/index.js";
import { Comment, TreeMap, isSeq } from "./model.js";
import type { Branches, Scalar, TreeSeq, TreeValue } from "./model.js";
import { shouldEncrypt } from "./rules.js";
import type { CompiledRule } from "./rules.js";

/** A leaf as the walker hands it over. */
export type Leaf = Exclude<Scalar, null> | Comment;

/**
 * Visit one leaf. Return its replacement: for a comment, a `Comment` or the
 * string to wrap in one (keeping the original's `inline` flag).
 */
export type LeafVisitor = (leaf: Leaf, aad: string, encrypted: boolean, isComment: boolean) => Leaf;

interface WalkState {
  readonly rule: CompiledRule;
  readonly visit: LeafVisitor;
  /** One list of active comments per nesting level. */
  readonly comments: string[][];
  readonly subject: string | undefined;
}

function visitComment(state: WalkState, c: Comment, aad: string, keyMatched: boolean): Comment {
  const encrypted = shouldEncrypt(state.rule, keyMatched, state.comments, true);
  const out = state.visit(c, aad, encrypted, true);
  if (out instanceof Comment) return out;
  if (typeof out !== "string") throw new SigilError("internal", "a comment must stay a comment or become a string", { subject: state.subject });
  return new Comment(out, c.inline);
}

function walkValue(state: WalkState, v: TreeValue, aad: string, keyMatched: boolean): TreeValue {
  if (v === null) return null;
  if (v instanceof TreeMap) return walkMap(state, v, aad, keyMatched);
  if (isSeq(v)) return walkSeq(state, v, aad, keyMatched);
  const out = state.visit(v, aad, shouldEncrypt(state.rule, keyMatched, state.comments, false), false);
  return out instanceof Comment ? (out as unknown as TreeValue) : out;
}

function walkSeq(state: WalkState, seq: TreeSeq, aad: string, keyMatched: boolean): TreeSeq {
  const level: string[] = [];
  state.comments.push(level);
  for (let i = 0; i < seq.length; i++) {
    const v = seq[i] as TreeValue | Comment;
    if (v instanceof Comment) {
      level.push(v.value);
      seq[i] = visitComment(state, v, aad, keyMatched);
      continue;
    }
    seq[i] = walkValue(state, v, aad, keyMatched);
    level.length = 0;
  }
  state.comments.pop();
  return seq;
}

function walkMap(state: WalkState, map: TreeMap, aad: string, keyMatched: boolean): TreeMap {
  const level: string[] = [];
  state.comments.push(level);
  const prefix = aad === ":" ? "" : aad;
  for (const item of map.items) {
    if (item.key instanceof Comment) {
      level.push(item.key.value);
      item.key = visitComment(state, item.key, aad, keyMatched);
      continue;
    }
    if (typeof item.key !== "string") {
      throw new SigilError("input.invalid", "the document has a non-string mapping key; only string keys are supported", { subject: state.subject });
    }
    const matched = keyMatched || state.rule.matchKey(item.key);
    item.value = walkValue(state, item.value, `${prefix}${item.key}:`, matched);
    level.length = 0;
  }
  state.comments.pop();
  return map;
}

/**
 * Walk every branch in order, replacing leaves with what `visit` returns.
 * Mutates the tree in place.
 * @throws whatever `visit` throws; SigilError `input.invalid` for a non-string key.
 */
export function walkBranches(branches: Branches, rule: CompiledRule, visit: LeafVisitor, subject?: string): void {
  const state: WalkState = { rule, visit, comments: [], subject };
  for (const branch of branches) walkMap(state, branch, ":", false);
}
