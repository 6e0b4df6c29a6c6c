// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Reading typed fields out of the YAML node tree the way go-yaml v3 fills
 * sops' config structs: string fields take any scalar's source text, key
 * lists typed `interface{}` in sops take a string or a list of strings only,
 * `[]string` fields take a list of scalars. Errors name the field path
 * (`creation_rules[1].key_groups[0].age`) and the line.
 */
import { SigilError } from "../../../core/index.js";
import type { YNode } from "./yaml-read.js";

/** Shared state while reading one file: its subject for errors, and the warnings collected. */
export interface ReadContext {
  readonly subject: string;
  readonly warnings: string[];
}

function kindOf(node: YNode): string {
  if (node.kind === "map") return "a mapping";
  if (node.kind === "seq") return "a list";
  const v = node.value;
  if (typeof v === "string") return "a string";
  if (typeof v === "number" || typeof v === "bigint") return "a number";
  if (typeof v === "boolean") return "a boolean";
  return v === null ? "null" : "a scalar";
}

/** A `config.invalid` error for a field. */
export function fieldError(ctx: ReadContext, where: string, message: string, node?: YNode): SigilError {
  const at = node !== undefined && node.line > 0 ? ` (line ${node.line})` : "";
  return new SigilError("config.invalid", `${where}: ${message}${at}`, { subject: ctx.subject });
}

function expected(ctx: ReadContext, where: string, what: string, node: YNode): SigilError {
  return fieldError(ctx, where, `expected ${what}, found ${kindOf(node)}`, node);
}

/** True for a missing field or an explicit null (go-yaml leaves the zero value). */
export function isNull(node: YNode | undefined): node is undefined {
  return node === undefined || (node.kind === "scalar" && node.value === null);
}

/**
 * The entries of a mapping (an empty map for null). Keys not in `known` are
 * reported as warnings: sops ignores them silently, which usually hides a typo.
 * @throws SigilError `config.invalid` when the node is not a mapping.
 */
export function mapping(ctx: ReadContext, node: YNode | undefined, where: string, known: readonly string[]): ReadonlyMap<string, YNode> {
  if (isNull(node)) return new Map();
  if (node.kind !== "map") throw expected(ctx, where, "a mapping", node);
  for (const key of node.entries.keys()) {
    if (!known.includes(key)) ctx.warnings.push(`${where}: unknown key '${key}' is ignored (sops ignores it too)`);
  }
  return node.entries;
}

/**
 * The items of a list (empty for null).
 * @throws SigilError `config.invalid` when the node is not a list.
 */
export function list(ctx: ReadContext, node: YNode | undefined, where: string): readonly YNode[] {
  if (isNull(node)) return [];
  if (node.kind !== "seq") throw expected(ctx, where, "a list", node);
  return node.items;
}

/**
 * A string field: any scalar's source text, "" for null.
 * @throws SigilError `config.invalid` for a mapping or list.
 */
export function str(ctx: ReadContext, node: YNode | undefined, where: string): string {
  if (isNull(node)) return "";
  if (node.kind !== "scalar") throw expected(ctx, where, "a string", node);
  return typeof node.value === "string" ? node.value : node.text;
}

/**
 * A non-negative integer field, 0 for null.
 * @throws SigilError `config.invalid` for anything else.
 */
export function int(ctx: ReadContext, node: YNode | undefined, where: string, allowNegative = false): number {
  if (isNull(node)) return 0;
  const v = node.kind === "scalar" ? node.value : undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw expected(ctx, where, "an integer", node);
  if (v < 0 && !allowNegative) throw fieldError(ctx, where, `expected a non-negative integer, found ${v}`, node);
  return v;
}

const YAML11_TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"]);
const YAML11_FALSE = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF"]);

/**
 * A boolean field, false for null. Like go-yaml v3 decoding into a bool, the
 * YAML 1.1 words yes/no/on/off/y/n are accepted too.
 * @throws SigilError `config.invalid` for anything else.
 */
export function bool(ctx: ReadContext, node: YNode | undefined, where: string): boolean {
  if (isNull(node)) return false;
  const v = node.kind === "scalar" ? node.value : undefined;
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && YAML11_TRUE.has(v)) return true;
  if (typeof v === "string" && YAML11_FALSE.has(v)) return false;
  throw expected(ctx, where, "a boolean", node);
}

function splitComma(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * A flat key list (`age`, `kms`, … in a creation rule): a comma-separated
 * string or a list of strings. Items are trimmed, empty items dropped, and a
 * list item containing commas is split too (sops joins the list with commas
 * before parsing it).
 * @throws SigilError `config.invalid` for a number, boolean or mapping, or a list item that is not a string.
 */
export function keyList(ctx: ReadContext, node: YNode | undefined, where: string): string[] {
  if (isNull(node)) return [];
  if (node.kind === "scalar" && typeof node.value === "string") return splitComma(node.value);
  if (node.kind !== "seq") throw expected(ctx, where, "a comma-separated string or a list of strings", node);
  return node.items.flatMap((item, i) => {
    if (item.kind !== "scalar" || typeof item.value !== "string") throw expected(ctx, `${where}[${i}]`, "a string", item);
    return splitComma(item.value);
  });
}

/**
 * A `[]string` field (`hckms` in a rule; `age`, `pgp`, `hc_vault` in a key
 * group): a list of scalars, each taken as its text ("" for null).
 * @throws SigilError `config.invalid` when the node is not a list or an item is a mapping or list.
 */
export function stringList(ctx: ReadContext, node: YNode | undefined, where: string): string[] {
  return list(ctx, node, where).map((item, i) => str(ctx, item, `${where}[${i}]`));
}

/**
 * A string-to-string mapping (a KMS `context`).
 * @throws SigilError `config.invalid` when it is not a mapping or a value is null, a list or a mapping.
 */
export function stringMap(ctx: ReadContext, node: YNode | undefined, where: string): Record<string, string> {
  if (isNull(node)) return {};
  if (node.kind !== "map") throw expected(ctx, where, "a mapping of strings", node);
  const out: Record<string, string> = {};
  for (const [key, value] of node.entries) {
    if (isNull(value)) throw fieldError(ctx, `${where}.${key}`, "expected a string, found null", node);
    out[key] = str(ctx, value, `${where}.${key}`);
  }
  return out;
}
