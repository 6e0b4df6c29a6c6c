/**
 * `--extract '["a"]["b"][0]'`: pick one value out of the decrypted tree, as
 * sops does: a string is printed raw, a mapping as a document of the output
 * format, anything else as that format prints a single value.
 */
import { SigilError } from "../../../core/index.js";
import { Comment, TreeMap, storeFor } from "../../../decrypt/index.js";
import type { Branches, SopsFormat, TreeValue } from "../../../decrypt/index.js";

/**
 * Parse a sops tree path.
 * @throws SigilError `input.invalid` for a malformed path.
 */
export function parseTreePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\d+))\]/y;
  let pos = 0;
  while (pos < path.length) {
    re.lastIndex = pos;
    const m = re.exec(path);
    if (m === null) throw new SigilError("input.invalid", `invalid --extract path '${path}': use ["key"] and [index] components`);
    if (m[3] !== undefined) out.push(Number(m[3]));
    else out.push((m[1] ?? m[2] ?? "").replace(/\\(.)/g, "$1"));
    pos = re.lastIndex;
  }
  return out;
}

function step(v: TreeValue, c: string | number): TreeValue {
  if (typeof c === "string") {
    if (!(v instanceof TreeMap)) throw new SigilError("input.invalid", `component ['${c}'] not found`);
    const item = v.items.find((i) => i.key === c);
    if (item === undefined) throw new SigilError("input.invalid", `component ['${c}'] not found`);
    return item.value;
  }
  if (!Array.isArray(v)) throw new SigilError("input.invalid", `component [${c}] is an index, but the value is not a list`);
  const el = v[c];
  if (el === undefined) throw new SigilError("input.invalid", `component [${c}] is out of bounds`);
  if (el instanceof Comment) throw new SigilError("input.invalid", `component [${c}] is a comment`);
  return el;
}

/**
 * The bytes `--extract` prints.
 * @throws SigilError `input.invalid` when the path does not exist.
 */
export function extract(branches: Branches, path: (string | number)[], format: SopsFormat): Uint8Array {
  let v: TreeValue = branches[0] ?? new TreeMap();
  for (const c of path) v = step(v, c);
  const store = storeFor(format);
  if (v instanceof TreeMap) return store.emitPlain([v, ...branches.slice(1)]);
  if (typeof v === "string") return Buffer.from(v, "utf8");
  if (v instanceof Uint8Array) return v;
  if (format === "json" || format === "yaml") {
    const wrapped = Buffer.from(store.emitPlain([new TreeMap([{ key: "x", value: v }])])).toString("utf8");
    return Buffer.from(format === "json" ? jsonValue(wrapped) : yamlValue(wrapped), "utf8");
  }
  throw new SigilError("input.invalid", `the ${format} format can only extract strings`);
}

function jsonValue(doc: string): string {
  const body = doc.slice(doc.indexOf(":") + 2, doc.lastIndexOf("\n}"));
  return body.replace(/\n\t/g, "\n");
}

function yamlValue(doc: string): string {
  const first = doc.indexOf("\n");
  const head = doc.slice(0, first);
  if (head.length > 2) return `${head.slice(3)}\n`;
  return doc
    .slice(first + 1)
    .split("\n")
    .map((l) => l.replace(/^ {4}/, ""))
    .join("\n");
}
