/**
 * The dotenv store (docs/formats.md#a114-dotenv): `KEY=value` lines split at the first `=`,
 * `#` comment lines, `\n` escapes in values; everything is a string.
 * Raw bytes are kept (values are not forced through UTF-8).
 */
import { isUtf8 } from "node:buffer";
import { SigilError } from "../../../core/index.js";
import { Comment, TreeMap, isSeq } from "../tree/model.js";
import type { Branches, MapItem, TreeValue } from "../tree/model.js";
import { valueToText } from "./text.js";

function bytesToText(b: Buffer): string | Uint8Array {
  return isUtf8(b) ? b.toString("utf8") : new Uint8Array(b);
}

function unescapeNewlines(v: string | Uint8Array): string | Uint8Array {
  if (typeof v === "string") return v.replaceAll("\\n", "\n");
  return new Uint8Array(Buffer.from(Buffer.from(v).toString("latin1").replaceAll("\\n", "\n"), "latin1"));
}

/**
 * Parse dotenv bytes into one branch.
 * @throws SigilError `decrypt.parse_failed` for a line without `=`.
 */
export function parseDotenv(bytes: Uint8Array, subject?: string): Branches {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: MapItem[] = [];
  let start = 0;
  let lineNo = 0;
  while (start <= buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end === -1) end = buf.length;
    const line = buf.subarray(start, end);
    start = end + 1;
    lineNo++;
    if (line.length === 0) continue;
    if (line[0] === 0x23) {
      items.push({ key: new Comment(line.subarray(1).toString("utf8")), value: null });
      continue;
    }
    const eq = line.indexOf(0x3d);
    if (eq === -1) throw new SigilError("decrypt.parse_failed", `invalid dotenv line ${lineNo}: no '=' found`, { subject });
    const key = line.subarray(0, eq).toString("utf8");
    const value = unescapeNewlines(bytesToText(line.subarray(eq + 1)));
    items.push({ key, value });
  }
  return [new TreeMap(items)];
}

function lineValue(v: TreeValue): Buffer {
  if (typeof v === "string") return Buffer.from(v.replaceAll("\n", "\\n"), "utf8");
  if (v instanceof Uint8Array) return Buffer.from(Buffer.from(v).toString("latin1").replaceAll("\n", "\\n"), "latin1");
  return Buffer.from(valueToText(v), "utf8");
}

/**
 * Emit one branch as dotenv.
 * @throws SigilError `input.invalid` when a value is a mapping or a list.
 */
export function emitDotenv(branches: Branches, subject?: string): Uint8Array {
  const parts: Buffer[] = [];
  for (const item of (branches[0] ?? new TreeMap()).items) {
    if (item.value instanceof TreeMap || isSeq(item.value)) {
      throw new SigilError("input.invalid", `nested values cannot be written to a dotenv file (key '${item.key instanceof Comment ? "#" : item.key}')`, { subject });
    }
    if (item.key instanceof Comment) {
      parts.push(Buffer.from(`#${item.key.value}\n`, "utf8"));
      continue;
    }
    parts.push(Buffer.from(`${item.key}=`, "utf8"), lineValue(item.value), Buffer.from("\n"));
  }
  return Buffer.concat(parts);
}
