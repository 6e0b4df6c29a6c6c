/**
 * The in-memory SOPS document: an ordered tree of mappings, sequences,
 * scalars and comment entries (docs/formats.md#a1-tree-model). Every store parses into this model and
 * emits from it; the engine walks it.
 *
 * Scalar representation (chosen so the type is known without a wrapper):
 * - `string`: a `str` value (binary store: see `Uint8Array`)
 * - `bigint`: an `int` (signed 64-bit)
 * - `number`: a `float` (float64, also integral ones such as `1.0`)
 * - `boolean`: a `bool`
 * - `SopsTime`: a YAML timestamp (`time`)
 * - `Uint8Array`: raw bytes (the binary store's `data`, or a `bytes` value)
 * - `null`: a null leaf (never encrypted, never in the MAC)
 */

/** A comment entry. `inline` marks a comment that was on the same line as a value. */
export class Comment {
  constructor(
    readonly value: string,
    readonly inline = false,
  ) {}
}

/**
 * A timestamp, kept as its canonical RFC 3339 text with nanoseconds and
 * trailing zero fraction digits dropped (Go `time.RFC3339Nano`), which is
 * both how it is encrypted and how YAML re-emits it.
 */
export class SopsTime {
  constructor(readonly text: string) {}
}

export type Scalar = string | bigint | number | boolean | SopsTime | Uint8Array | null;

/** One mapping entry: a string key and its value, or a comment (value unused). */
export type MapItem = { key: string; value: TreeValue } | { key: Comment; value: null };

/** An ordered mapping. Duplicate keys are possible in some stores (INI sections, JSON). */
export class TreeMap {
  constructor(public items: MapItem[] = []) {}

  /** The value of the first entry with `key`, or undefined. */
  get(key: string): TreeValue | undefined {
    for (const item of this.items) if (item.key === key) return item.value;
    return undefined;
  }
}

/** A sequence; comment entries are `Comment` elements. */
export type TreeSeq = (TreeValue | Comment)[];

export type TreeValue = Scalar | TreeMap | TreeSeq;

/** A file's documents (YAML can have several; other stores exactly one). */
export type Branches = TreeMap[];

/** True when `v` is a sequence (and not bytes). */
export function isSeq(v: unknown): v is TreeSeq {
  return Array.isArray(v);
}

/** The sops type tag a scalar is encrypted with (docs/formats.md#a4-type-tags). */
export function typeTagOf(v: Exclude<Scalar, null> | Comment): "str" | "int" | "float" | "bool" | "time" | "comment" | "bytes" {
  switch (typeof v) {
    case "string":
      return "str";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "boolean":
      return "bool";
    default:
      if (v instanceof Comment) return "comment";
      if (v instanceof SopsTime) return "time";
      return "str";
  }
}
