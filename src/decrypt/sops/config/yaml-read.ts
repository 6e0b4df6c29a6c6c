// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Bounded YAML reading for `.sops.yaml`: the `yaml` package parses (with
 * `<<` merge keys, as go-yaml v3 supports them), its alias-expansion guard
 * (`maxAliasCount`) stops alias bombs, and the document is turned into a
 * small node tree that keeps each scalar's source text and line, so that
 * field errors can say where they are. Only the first document is read, as
 * sops does.
 */
import { isAlias, isMap, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node as YamlNode, Pair } from "yaml";
import { SigilError } from "../../../core/index.js";
import { parseYamlSafely, toJsSafely } from "../../yaml-safe.js";

/** A scalar: its resolved value (string, number, boolean, null) and its source text. */
export interface YScalar {
  readonly kind: "scalar";
  readonly value: unknown;
  readonly text: string;
  readonly line: number;
}

export interface YMap {
  readonly kind: "map";
  readonly entries: ReadonlyMap<string, YNode>;
  readonly line: number;
}

export interface YSeq {
  readonly kind: "seq";
  readonly items: readonly YNode[];
  readonly line: number;
}

export type YNode = YScalar | YMap | YSeq;

/** Limits applied while reading. */
export interface YamlReadLimits {
  readonly maxAliasCount: number;
  /** Nodes produced after alias and merge expansion (a second guard). */
  readonly maxNodes: number;
}

interface Walk {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly subject: string;
  readonly limits: YamlReadLimits;
  nodes: number;
  depth: number;
}

function invalid(w: { readonly subject: string }, message: string, cause?: unknown): SigilError {
  return new SigilError("config.invalid", message, { subject: w.subject, cause });
}

function lineOf(w: Walk, node: YamlNode | null | undefined): number {
  const start = node?.range?.[0];
  return start === undefined ? 0 : w.lines.linePos(start).line;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol" && key.value.description === "<<";
}

function keyText(w: Walk, key: unknown): string {
  if (isScalar(key)) return key.source ?? String(key.value);
  const at = isMap(key) || isSeq(key) || isAlias(key) ? ` (line ${lineOf(w, key)})` : "";
  throw invalid(w, `mapping keys must be scalars${at}`);
}

function mergeInto(w: Walk, entries: Map<string, YNode>, value: YNode): void {
  const sources = value.kind === "seq" ? value.items : [value];
  for (const src of sources) {
    if (src.kind !== "map") throw invalid(w, `a << merge key needs a mapping or a list of mappings (line ${src.line})`);
    for (const [k, v] of src.entries) if (!entries.has(k)) entries.set(k, v);
  }
}

function convertMap(w: Walk, items: readonly Pair[], line: number): YMap {
  const entries = new Map<string, YNode>();
  const merges: YNode[] = [];
  for (const pair of items) {
    const value = convert(w, pair.value as YamlNode | null);
    if (isMergeKey(pair.key)) merges.push(value);
    else entries.set(keyText(w, pair.key), value);
  }
  for (const m of merges) mergeInto(w, entries, m);
  return { kind: "map", entries, line };
}

function convert(w: Walk, node: YamlNode | null | undefined): YNode {
  if (++w.nodes > w.limits.maxNodes) {
    throw invalid(w, `the yaml expands to more than ${w.limits.maxNodes} nodes (alias or merge bomb?)`);
  }
  if (node === null || node === undefined) return { kind: "scalar", value: null, text: "", line: 0 };
  const line = lineOf(w, node);
  if (isAlias(node)) {
    if (w.depth > 64) throw invalid(w, `aliases nest too deeply (line ${line})`);
    w.depth++;
    try {
      return convert(w, node.resolve(w.doc));
    } finally {
      w.depth--;
    }
  }
  if (isScalar(node)) return { kind: "scalar", value: node.value, text: node.source ?? String(node.value), line };
  if (isMap(node)) return convertMap(w, node.items, line);
  if (isSeq(node)) return { kind: "seq", items: node.items.map((item) => convert(w, item as YamlNode | null)), line };
  throw invalid(w, `unsupported yaml node (line ${line})`);
}

/** The first document (sops reads only that one); errors name the line and column, never the text. */
function firstDocument(text: string, subject: string): { doc: Document | undefined; extra: boolean; lines: LineCounter } {
  const fail = (problem: string): never => {
    throw new SigilError("config.invalid", `invalid yaml: ${problem}`, { subject });
  };
  const { docs, lines } = parseYamlSafely(text, { merge: true, uniqueKeys: true, strict: true }, fail);
  return { doc: docs[0], extra: docs.length > 1, lines };
}

/**
 * Parse YAML text into a node tree (`undefined` for an empty file).
 * @throws SigilError `config.invalid` for invalid YAML (naming the line),
 *   duplicate keys, non-scalar keys, and alias or merge bombs.
 */
export function readYaml(text: string, subject: string, limits: YamlReadLimits): { root: YNode | undefined; warnings: string[] } {
  const { doc, extra, lines } = firstDocument(text, subject);
  const warnings = extra ? ["only the first yaml document of the config file is read, as sops does"] : [];
  if (doc === undefined) return { root: undefined, warnings };
  toJsSafely(doc, limits.maxAliasCount, (problem) => {
    throw new SigilError("config.invalid", problem, { subject });
  });
  const w: Walk = { doc, lines, subject, limits, nodes: 0, depth: 0 };
  return { root: convert(w, doc.contents), warnings };
}
