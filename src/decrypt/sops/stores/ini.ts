/**
 * The INI store (docs/formats.md#a115-ini), reading and writing as gopkg.in/ini.v1 does with
 * the options sops uses: sections (the implicit `DEFAULT` first), `=`/`:`
 * delimiters, `;`/`#` comments attached to the next key (inline comments
 * too), `"""…"""` and backquoted values, surrounding quotes trimmed,
 * `\` continuation lines; written as `key = value` with `=` aligned,
 * sections separated by a blank line.
 */
import { SigilError } from "../../../core/index.js";
import { Comment, TreeMap } from "../tree/model.js";
import type { Branches, MapItem, TreeValue } from "../tree/model.js";
import { valueToText } from "./text.js";

interface Section {
  name: string;
  comment: string;
  keys: { name: string; value: string; comment: string }[];
  /** The key names so far, for the duplicate check in constant time. */
  names: Set<string>;
}

function stripCommentChar(c: string): string {
  if (c.startsWith(";")) return c.replace(/^[; ]+/, "");
  if (c.startsWith("#")) return c.replace(/^[# ]+/, "");
  return c;
}

function surrounded(s: string, q: string): boolean {
  return s.length >= 2 && s.startsWith(q) && s.endsWith(q) && s.split(q).length - 1 === 2;
}

class IniParser {
  readonly sections: Section[] = [{ name: "DEFAULT", comment: "", keys: [], names: new Set() }];
  comment = "";
  i = 0;
  constructor(
    readonly lines: string[],
    readonly subject: string | undefined,
  ) {}

  fail(msg: string): never {
    throw new SigilError("decrypt.parse_failed", `invalid INI at line ${this.i}: ${msg}`, { subject: this.subject });
  }

  run(): Section[] {
    while (this.i < this.lines.length) {
      const raw = this.lines[this.i++] ?? "";
      const line = raw.replace(/^\s+/, "");
      if (line === "") continue;
      if (line.startsWith("#") || line.startsWith(";")) {
        this.comment += line.replace(/\r$/, "") + "\n";
        continue;
      }
      if (line.startsWith("[")) this.section(line);
      else this.keyLine(line);
    }
    return this.sections;
  }

  section(line: string): void {
    const close = line.lastIndexOf("]");
    if (close === -1) this.fail("unclosed section header");
    const rest = line.slice(close + 1).trim();
    if (rest.startsWith("#") || rest.startsWith(";")) this.comment += rest;
    this.sections.push({ name: line.slice(1, close), comment: this.comment.trim(), keys: [], names: new Set() });
    this.comment = "";
  }

  keyName(line: string): [string, number] {
    const quote = line.startsWith('"""') && line.length > 6 ? '"""' : line.startsWith('"') ? '"' : line.startsWith("`") ? "`" : "";
    if (quote !== "") {
      const pos = line.indexOf(quote, quote.length);
      if (pos === -1) this.fail("missing closing key quote");
      const delim = line.slice(pos + quote.length).search(/[=:]/);
      if (delim < 0) this.fail("no '=' or ':' found");
      return [line.slice(quote.length, pos).trim(), pos + delim + quote.length + 1];
    }
    const end = line.search(/[=:]/);
    if (end < 0) this.fail("no '=' or ':' found");
    if (end === 0) this.fail("empty key name");
    return [line.slice(0, end).trim(), end + 1];
  }

  keyLine(line: string): void {
    const [name, offset] = this.keyName(line);
    const value = this.value(line.slice(offset));
    const section = this.sections[this.sections.length - 1] as Section;
    // sops keeps the last value and silently drops the first; refusing loses nothing
    if (section.names.has(name)) this.fail("a key is defined twice in the same section (sops would keep only the last value)");
    section.names.add(name);
    const comment = this.comment.trim();
    this.comment = "";
    section.keys.push({ name, value, comment });
  }

  multiline(first: string, quote: string): string {
    let out = first;
    while (this.i < this.lines.length) {
      const next = this.lines[this.i++] ?? "";
      const pos = next.indexOf(quote);
      if (pos !== -1) return `${out}\n${next.slice(0, pos)}`;
      out += `\n${next}`;
    }
    return this.fail(`missing closing ${quote}`);
  }

  value(rest: string): string {
    let line = rest.replace(/^\s+/, "");
    if (line === "") return "";
    const quote = line.length > 3 && line.startsWith('"""') ? '"""' : line.startsWith("`") ? "`" : "";
    if (quote !== "") {
      const body = line.slice(quote.length);
      const pos = body.lastIndexOf(quote);
      return pos === -1 ? this.multiline(body, quote) : body.slice(0, pos);
    }
    line = line.trim();
    if (line.endsWith("\\")) return this.continuation(line.slice(0, -1));
    const c = line.search(/[#;]/);
    if (c > -1) {
      this.comment += line.slice(c);
      line = line.slice(0, c).trim();
    }
    if (surrounded(line, "'") || surrounded(line, '"')) line = line.slice(1, -1);
    return line;
  }

  continuation(first: string): string {
    let out = first;
    while (this.i < this.lines.length) {
      const next = (this.lines[this.i++] ?? "").trim();
      if (!next.endsWith("\\")) return out + next;
      out += next.slice(0, -1);
    }
    return out;
  }
}

/**
 * Parse INI bytes into one branch: one entry per section (the implicit
 * `DEFAULT` first), each a mapping of string values with comment entries.
 * @throws SigilError `decrypt.parse_failed` for malformed lines.
 */
export function parseIni(bytes: Uint8Array, subject?: string): Branches {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (text.startsWith("\ufeff")) text = text.slice(1);
  const sections = new IniParser(text.split("\n"), subject).run();
  const items: MapItem[] = sections.map((s) => {
    const entries: MapItem[] = [];
    if (s.comment !== "") entries.push({ key: new Comment(stripCommentChar(s.comment)), value: null });
    for (const k of s.keys) {
      entries.push({ key: k.name, value: k.value });
      if (k.comment !== "") entries.push({ key: new Comment(stripCommentChar(k.comment)), value: null });
    }
    return { key: s.name, value: new TreeMap(entries) };
  });
  return [new TreeMap(items)];
}

function commentLines(c: string): string {
  return c
    .split("\n")
    .map((l) => (l.startsWith("#") || l.startsWith(";") ? `${l.slice(0, 1)} ${l.slice(1).trim()}` : `; ${l.trim()}`))
    .map((l) => `${l}\n`)
    .join("");
}

function quoteKey(k: string): string {
  if (k.includes('"') || k.includes("=:")) return `\`${k}\``;
  if (k.includes("`")) return `"""${k}"""`;
  return k;
}

function quoteValue(v: string): string {
  if (/[\n`]/.test(v)) return `"""${v}"""`;
  // a trailing backslash would continue the line into the next key when read back (found by fuzzing)
  if (/[#;]/.test(v) || v.endsWith("\\")) return `\`${v}\``;
  if (v.trim() !== v) return `"${v}"`;
  return v;
}

interface OutKey {
  name: string;
  value: string;
  comment: string;
}

function sectionKeys(section: TreeMap): { comment: string; keys: OutKey[] } {
  let comment = "";
  const keys: OutKey[] = [];
  const byName = new Map<string, OutKey>();
  section.items.forEach((item, i) => {
    if (item.key instanceof Comment) {
      if (i === 0) comment = item.key.value;
      else {
        const last = keys[keys.length - 1];
        if (last !== undefined) last.comment = item.key.value;
      }
      return;
    }
    const name = item.key;
    const existing = byName.get(name);
    const value = typeof item.value === "string" ? item.value : valueToText(item.value);
    if (existing !== undefined) existing.value = value;
    else {
      const key = { name, value, comment: "" };
      keys.push(key);
      byName.set(name, key);
    }
  });
  return { comment, keys };
}

function writeSection(name: string, section: TreeMap, index: number, isLast: boolean): string {
  const { comment, keys } = sectionKeys(section);
  let out = comment === "" ? "" : commentLines(comment);
  if (index > 0 || name.toUpperCase() !== "DEFAULT") out += `[${name}]\n`;
  else if (keys.length === 0) return "";
  const quoted = keys.map((k) => quoteKey(k.name));
  const align = quoted.reduce((max, q) => Math.max(max, q.length), 0);
  keys.forEach((k, i) => {
    if (k.comment !== "") out += commentLines(k.comment);
    const q = quoted[i] ?? k.name;
    out += `${q}${" ".repeat(align - q.length)} = ${quoteValue(k.value)}\n`;
  });
  return isLast ? out : `${out}\n`;
}

/**
 * Emit one branch as INI.
 * @throws SigilError `input.invalid` when a top-level value is not a section mapping.
 */
export function emitIni(branches: Branches, subject?: string): Uint8Array {
  const sections = (branches[0] ?? new TreeMap()).items.filter((i): i is { key: string; value: TreeValue } => !(i.key instanceof Comment));
  let out = "";
  sections.forEach((s, i) => {
    if (!(s.value instanceof TreeMap)) {
      throw new SigilError("input.invalid", `INI section '${s.key}' must be a mapping of keys to values`, { subject });
    }
    out += writeSection(s.key, s.value, i, i === sections.length - 1);
  });
  return Buffer.from(out, "utf8");
}
