/**
 * Seeded generators of plain documents for differential testing against the
 * real `sops` (test/integration/sops/differential*.test.ts).
 *
 * Every generator is a pure function of its seed, so a failing seed printed
 * by a test reproduces the exact input: `generate(store, seed)`. The inputs
 * deliberately lean on the corners where two implementations tend to
 * disagree: YAML 1.1/1.2 scalar resolution, quoting, comments in every
 * position, number formatting, unicode, multi-line strings, and the
 * line-based dotenv/INI parsers.
 */

/** The five sops stores, named as `--input-type` names them. */
export const GEN_STORES = ["yaml", "json", "dotenv", "ini", "binary"] as const;
export type GenStore = (typeof GEN_STORES)[number];

/** A generated plain file. */
export interface GeneratedFile {
  readonly store: GenStore;
  readonly seed: number;
  /** File name with the extension sops uses to pick the store. */
  readonly name: string;
  readonly bytes: Buffer;
}

/** A small, fast, seeded PRNG (mulberry32) with helpers. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  /** `n` random bytes. */
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

const WORDS = ["alpha", "beta", "gamma", "delta", "user", "password", "token", "host", "port", "db", "api", "name", "list", "ratio"];

/** Unicode texts: accents, CJK, astral emoji and symbols, right-to-left scripts. */
export const UNICODE_TEXTS = ["héllo wörld", "日本語テキスト", "😀 astral 𝄞 chars", "שלום עולם", "مرحبا بالعالم", "mixed עברית and latin", "ß∂ƒ©˙∆˚¬"];

/** Keys unique within one generator run (the `_unencrypted` suffix now and then, as the default rule uses it). */
class KeyMaker {
  #used = new Set<string>();
  #rng: Rng;

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  next(style: "word" | "env" = "word"): string {
    for (;;) {
      const base = style === "env" ? this.#rng.pick(WORDS).toUpperCase() : this.#rng.pick(WORDS);
      const sep = style === "env" ? "_" : this.#rng.pick(["_", "-", ""]);
      let key = `${base}${sep}${this.#rng.int(0, 99)}`;
      if (this.#rng.chance(0.12)) key += style === "env" ? "_unencrypted" : "_unencrypted";
      if (!this.#used.has(key)) {
        this.#used.add(key);
        return key;
      }
    }
  }
}

/** Generator switches. */
export interface GenOptions {
  /**
   * YAML: a comment after the last entry of a nested block, followed by a
   * less-indented entry. go-yaml v3 attaches such comments by its own rule,
   * which Sigil's reader follows (docs/sops-compatibility.md, "Comments
   * after a nested block"); on by default, differential-regressions.test.ts
   * has the minimal cases.
   */
  readonly nestedFootComments: boolean;
}

export function defaultGenOptions(): GenOptions {
  return { nestedFootComments: true };
}

/** Generate the plain file for one store and seed. */
export function generate(store: GenStore, seed: number, options: Partial<GenOptions> = {}): GeneratedFile {
  const opts: GenOptions = { ...defaultGenOptions(), ...options };
  const rng = new Rng(seed * 7919 + GEN_STORES.indexOf(store));
  switch (store) {
    case "yaml":
      return { store, seed, name: `doc-${seed}.yaml`, bytes: Buffer.from(genYaml(rng, opts)) };
    case "json":
      return { store, seed, name: `doc-${seed}.json`, bytes: Buffer.from(genJson(rng)) };
    case "dotenv":
      return { store, seed, name: `doc-${seed}.env`, bytes: Buffer.from(genDotenv(rng)) };
    case "ini":
      return { store, seed, name: `doc-${seed}.ini`, bytes: Buffer.from(genIni(rng)) };
    case "binary":
      return { store, seed, name: `doc-${seed}.bin`, bytes: genBinary(rng) };
  }
}

/** `count` consecutive seeds from `base`. */
export function seeds(base: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => base + i);
}

// ---------------------------------------------------------------- YAML

/** Scalars written as YAML source text, each a known trouble spot. */
export const YAML_SCALARS: readonly string[] = [
  // strings that only stay strings when quoted (and the unquoted forms, which resolve to other types)
  `"yes"`, `'null'`, `"0x10"`, `"1e3"`, `"2024-01-01"`, `"  "`, `""`, `''`, `"true"`, `"~"`, `"123"`, `"-0.0"`,
  `yes`, `no`, `on`, `off`, `Yes`, `y`, `n`, `null`, `~`, `NULL`,
  // ints, including the int64 edges and YAML 1.1 forms
  `0`, `-1`, `42`, `9223372036854775807`, `-9223372036854775808`, `0x10`, `0o17`, `017`, `+12`, `0b101`,
  // floats that need Go-style formatting
  `1e21`, `0.0000001`, `-0.0`, `1.0`, `3.14159`, `.5`, `1e3`, `1.5e-10`, `123456789.125`, `.inf`, `-.Inf`, `1e+300`, `2.5E-5`,
  // beyond float64: go-yaml keeps these strings (1e-400 underflows to 0)
  `1e400`, `-2e999`, `1e-400`,
  // booleans
  `true`, `false`, `True`, `FALSE`,
  // timestamps
  `2024-01-01`, `2024-01-01T10:20:30Z`, `2001-12-14t21:59:43.10-05:00`, `2002-12-14 21:59:43.5`,
  // strings needing quotes or escapes when written back
  `"a: b"`, `"#not a comment"`, `"- dash"`, `"@at"`, `"trailing space "`, `" leading space"`, `"it's"`, `'say "hi"'`,
  String.raw`"tab\there"`, String.raw`"back\\slash"`, String.raw`"line1\nline2"`, String.raw`"ends with newline\n"`,
  String.raw`"\u00e9 escaped"`, String.raw`"bell\u0007"`, String.raw`"astral \U0001F600"`,
  `plain words here`, `http://example.com/path?q=1`, `"{not: a map}"`, `"[1, 2]"`, `"*star"`, `"!bang"`, `"%percent"`,
];

function yamlUnicode(rng: Rng): string {
  const text = rng.pick(UNICODE_TEXTS);
  return rng.chance(0.5) ? text : JSON.stringify(text);
}

function yamlScalar(rng: Rng): string {
  if (rng.chance(0.15)) return yamlUnicode(rng);
  if (rng.chance(0.25)) return `${rng.pick(WORDS)}-${rng.int(0, 999)}`;
  return rng.pick(YAML_SCALARS);
}

function yamlComment(rng: Rng): string {
  return rng.pick([" a comment", " TODO: rotate", "", " ünïcödé comment 😀", "no space", " key: value in a comment", " sops-marker"]);
}

/** A block scalar (`|`, `|-`, `|+`) for `key:` at `indent`; lines are indented two more. */
function yamlBlock(rng: Rng, indent: string): string {
  const indicator = rng.pick(["|", "|-", "|+", ">", ">-"]);
  const first = rng.pick(["first line", "second: line", "# not a comment", rng.pick(UNICODE_TEXTS)]);
  // a more-indented first line would set the block's indentation: only later lines may be indented more
  const lines = [first, ...Array.from({ length: rng.int(0, 2) }, () => rng.pick(["more text", "  indented", "# not a comment", "", rng.pick(UNICODE_TEXTS)]))];
  const tail = indicator === "|+" ? `\n${indent}  \n` : "\n";
  return `${indicator}\n${lines.map((l) => `${indent}  ${l}`).join("\n")}${tail}`;
}

interface YamlCtx {
  readonly rng: Rng;
  readonly keys: KeyMaker;
  readonly out: string[];
  readonly opts: GenOptions;
}

function yamlHead(c: YamlCtx, indent: string): void {
  if (c.rng.chance(0.2)) c.out.push(`${indent}#${yamlComment(c.rng)}`);
}

function yamlLine(c: YamlCtx): string {
  return c.rng.chance(0.15) ? ` #${yamlComment(c.rng)}` : "";
}

function yamlEntry(c: YamlCtx, indent: string, depth: number): void {
  yamlHead(c, indent);
  const key = c.rng.chance(0.05) ? `"${c.keys.next()}:colon"` : c.keys.next();
  const roll = c.rng.next();
  if (depth < 3 && roll < 0.15) {
    c.out.push(`${indent}${key}:${yamlLine(c)}`);
    yamlMap(c, `${indent}  `, depth + 1);
  } else if (depth < 3 && roll < 0.3) {
    c.out.push(`${indent}${key}:${yamlLine(c)}`);
    yamlSeq(c, `${indent}  `, depth + 1);
  } else if (roll < 0.36) {
    c.out.push(`${indent}${key}: ${yamlBlock(c.rng, indent).trimEnd()}`);
  } else if (roll < 0.38) {
    c.out.push(`${indent}${key}: ${c.rng.pick(["[]", "{}", "", "[1, \"two\", 3.0]", "{a: 1, b: [x, y]}"])}`.trimEnd());
  } else {
    c.out.push(`${indent}${key}: ${yamlScalar(c.rng)}${yamlLine(c)}`);
  }
}

function yamlMap(c: YamlCtx, indent: string, depth: number): void {
  const n = c.rng.int(1, depth === 0 ? 6 : 3);
  for (let i = 0; i < n; i++) yamlEntry(c, indent, depth);
  if (depth > 0 && c.rng.chance(0.1) && c.opts.nestedFootComments) c.out.push(`${indent}#${yamlComment(c.rng)}`);
}

function yamlSeq(c: YamlCtx, indent: string, depth: number): void {
  const n = c.rng.int(1, 3);
  for (let i = 0; i < n; i++) {
    yamlHead(c, indent);
    if (depth < 3 && c.rng.chance(0.35)) {
      const inner: string[] = [];
      const sub: YamlCtx = { ...c, out: inner };
      yamlMap(sub, `${indent}  `, depth + 1);
      const first = inner.findIndex((l) => !l.trimStart().startsWith("#"));
      // the first non-comment line of the map goes after "- "; comments before it stay above, at the "-" column
      c.out.push(...inner.slice(0, first).map((l) => `${indent}${l.trimStart()}`));
      c.out.push(`${indent}- ${(inner[first] ?? "").trimStart()}`, ...inner.slice(first + 1));
    } else {
      c.out.push(`${indent}- ${yamlScalar(c.rng)}${yamlLine(c)}`);
    }
  }
}

function genYaml(rng: Rng, opts: GenOptions): string {
  const docs = rng.chance(0.25) ? rng.int(2, 3) : 1;
  const keys = new KeyMaker(rng);
  const parts: string[] = [];
  for (let d = 0; d < docs; d++) {
    if (rng.chance(0.04)) {
      // a flow mapping as the whole document; now and then a raw control character, which both tools must refuse
      parts.push(`{${keys.next()}: ${rng.chance(0.3) ? '"bell\u0007"' : yamlScalar(rng)}, ${keys.next()}: [x, 1.5]}\n`);
      continue;
    }
    const out: string[] = [];
    yamlMap({ rng, keys, out, opts }, "", 0);
    if (rng.chance(0.2)) out.push(`#${yamlComment(rng)}`);
    parts.push(out.join("\n") + "\n");
  }
  const lead = rng.chance(0.2) ? "---\n" : "";
  return lead + parts.join("---\n");
}

// ---------------------------------------------------------------- JSON

/** Number literals as JSON source text. */
export const JSON_NUMBERS: readonly string[] = [
  "0", "-0", "1", "-1", "1.0", "1.5", "-0.0", "1e21", "1E+2", "1e-7", "0.0000001", "123456789012", "9223372036854775807",
  "-9223372036854775808", "9223372036854775808", "18446744073709551616", "3.141592653589793", "1e308", "5e-324", "100.000",
];

/** String values as JSON source text (escapes included). */
export const JSON_STRINGS: readonly string[] = [
  `""`, `" "`, `"plain"`, `"<b>&amp;</b>"`, `"line\\u2028sep"`, `"para\\u2029sep"`, `"raw\u2028sep"`, `"quote\\" inside"`,
  `"back\\\\slash"`, `"tab\\there"`, `"nl\\nnl"`, `"\\u00e9\\u0041"`, `"\\ud83d\\ude00 escaped astral"`, `"slash\\/escaped"`,
  `"ctrl\\u0001char"`, `"ENC[not really]"`, `"true"`, `"null"`, `"123"`,
];

function jsonValue(rng: Rng, keys: KeyMaker, depth: number): string {
  const roll = rng.next();
  if (depth < 3 && roll < 0.15) return jsonObject(rng, keys, depth + 1);
  if (depth < 3 && roll < 0.27) {
    const n = rng.int(0, 3);
    return `[${Array.from({ length: n }, () => jsonValue(rng, keys, depth + 1)).join(", ")}]`;
  }
  if (roll < 0.45) return rng.pick(JSON_NUMBERS);
  if (roll < 0.52) return rng.pick(["true", "false", "null"]);
  if (roll < 0.62) return JSON.stringify(rng.pick(UNICODE_TEXTS));
  if (roll < 0.72) return JSON.stringify(`${rng.pick(WORDS)}-${rng.int(0, 999)}`);
  return rng.pick(JSON_STRINGS);
}

function jsonObject(rng: Rng, keys: KeyMaker, depth: number): string {
  const n = rng.int(depth === 0 ? 1 : 0, depth === 0 ? 6 : 3);
  const entries = Array.from({ length: n }, () => `${JSON.stringify(keys.next())}: ${jsonValue(rng, keys, depth)}`);
  return rng.chance(0.5) ? `{${entries.join(",")}}` : `{\n  ${entries.join(",\n  ")}\n}`;
}

function genJson(rng: Rng): string {
  const keys = new KeyMaker(rng);
  // now and then a number beyond float64, which both tools must refuse
  const huge = rng.chance(0.04) ? `{${JSON.stringify(keys.next())}: 1e400, ` : "";
  const body = jsonObject(rng, keys, 0);
  return (huge === "" ? body : huge + body.slice(1)) + (rng.chance(0.7) ? "\n" : "");
}

// ---------------------------------------------------------------- dotenv

/** dotenv values: `=`, spaces, `#`, quotes, the two-character `\n` escape, unicode. */
export const DOTENV_VALUES: readonly string[] = [
  "simple", "a=b=c", "with spaces inside", " leading space", "trailing space ", "#hash", "value # not a comment", `"double quoted"`,
  "'single quoted'", "line1\\nline2", "ends\\n", "\\n", "back\\\\slash", "", "=", "tab\there", "ünïcode ✓", "😀𝄞", "שלום",
  "export-like", "ENC[fake]", "cr\rinside",
];

function genDotenv(rng: Rng): string {
  const keys = new KeyMaker(rng);
  const lines: string[] = [];
  const n = rng.int(1, 8);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.15)) lines.push(`#${yamlComment(rng)}`);
    if (rng.chance(0.08)) lines.push("");
    const key = rng.chance(0.06) ? `${keys.next("env")} ` : keys.next("env");
    const value = rng.chance(0.15) ? rng.pick(UNICODE_TEXTS) : rng.pick(DOTENV_VALUES);
    lines.push(`${key}=${value}`);
  }
  return lines.join("\n") + (rng.chance(0.8) ? "\n" : "");
}

// ---------------------------------------------------------------- INI

/** INI values: spaces, `=`, quotes, `#`/`;`, unicode. */
export const INI_VALUES: readonly string[] = [
  "simple", "with spaces", "a=b", "\"quoted\"", "'single'", "x#y", "x;y", "", "ünïcode ✓", "😀", "123", "true", "C:\\path\\to", "%(interp)s",
];

function iniComment(rng: Rng): string {
  return `${rng.pick([";", "#", "; ", "# "])}${rng.pick(["comment", "ünïcode", "key = value", "TODO"])}`;
}

function iniKeys(rng: Rng, keys: KeyMaker, lines: string[], max: number): void {
  const n = rng.int(1, max);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.15)) lines.push(iniComment(rng));
    const sep = rng.pick([" = ", "=", " =", "= "]);
    lines.push(`${keys.next()}${sep}${rng.chance(0.15) ? rng.pick(UNICODE_TEXTS) : rng.pick(INI_VALUES)}`);
  }
}

function genIni(rng: Rng): string {
  const keys = new KeyMaker(rng);
  const lines: string[] = [];
  if (rng.chance(0.4)) iniKeys(rng, keys, lines, 3);
  const sections = rng.int(rng.chance(0.1) ? 0 : 1, 3);
  for (let s = 0; s < sections; s++) {
    if (lines.length > 0 && rng.chance(0.7)) lines.push("");
    if (rng.chance(0.2)) lines.push(iniComment(rng));
    lines.push(`[${rng.pick(["server", "database", "client", "auth", "paths"])}-${s}]`);
    iniKeys(rng, keys, lines, 4);
  }
  if (lines.length === 0) iniKeys(rng, keys, lines, 2);
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------- binary

/** Random bytes that are never valid UTF-8 (a lone 0xFF is always present). */
function genBinary(rng: Rng): Buffer {
  const body = rng.bytes(rng.int(1, 300));
  const at = rng.int(0, body.length - 1);
  body[at] = 0xff;
  return body;
}
