import { describe, expect, it } from "vitest";
import { Comment, TreeMap, storeFor } from "../../../src/decrypt/index.js";
import type { Branches, TreeValue } from "../../../src/decrypt/index.js";
import { isSigilError } from "../../../src/core/index.js";
import { fixture } from "./helpers.js";

const yaml = storeFor("yaml");

function roundTrip(text: string): string {
  return Buffer.from(yaml.emitPlain(yaml.parsePlain(Buffer.from(text)))).toString("utf8");
}

function top(text: string): TreeMap {
  return yaml.parsePlain(Buffer.from(text))[0] ?? new TreeMap();
}

function comments(v: TreeValue): string[] {
  return v instanceof TreeMap ? v.items.filter((i) => i.key instanceof Comment).map((i) => (i.key as Comment).value) : [];
}

describe("YAML store: reading", () => {
  it.each([
    { reason: "sops -d output of every scalar type", file: "types.sops-d.yaml" },
    { reason: "sops -d output with comments", file: "comments.sops-d.yaml" },
    { reason: "an encrypted file written by sops", file: "types.sops.yaml" },
    { reason: "a multi-document encrypted file written by sops", file: "multidoc.sops.yaml" },
  ])("reads and re-writes $file byte for byte ($reason)", ({ file }) => {
    const text = fixture(file).toString("utf8");
    expect(roundTrip(text)).toBe(text);
  });

  it("reads explicit `? key` entries (go-yaml writes keys over 128 bytes that way) and keeps !!binary bytes", () => {
    const long = "k".repeat(130);
    const text = `? ${long}\n: v\nb: !!binary /w==\n`;
    const t = top(text);
    expect(t.get(long)).toBe("v");
    expect(t.get("b")).toEqual(new Uint8Array([0xff]));
    expect(roundTrip(text)).toBe(text);
  });

  it("puts a comment in the innermost block its column reaches", () => {
    const t = top("a:\n    b: 1\n    # inner foot\n# outer head\nc: 2\n");
    expect(comments(t)).toEqual([" outer head"]);
    expect(comments(t.get("a") ?? null)).toEqual([" inner foot"]);
  });

  it("turns a value's trailing comment into an inline comment before its entry", () => {
    const t = top("a: 1 # note\n");
    expect(t.items[0]?.key).toEqual(new Comment(" note", true));
  });

  it("resolves scalars as go-yaml v3 does", () => {
    const t = top("i: 0777\nf: 1e3\nb: yes\nn: ~\nd: 2024-01-01\ns: '5'\nhex: 0x1F\nu: 1_000\n");
    expect(t.get("i")).toBe(511n);
    expect(t.get("f")).toBe(1000);
    expect(t.get("b")).toBe("yes");
    expect(t.get("n")).toBeNull();
    expect(t.get("s")).toBe("5");
    expect(t.get("hex")).toBe(31n);
    expect(t.get("u")).toBe(1000n);
  });

  it("reads block scalars, flow collections, anchors and multi-line plain scalars", () => {
    const t = top("lit: |\n  a\n   b\n\nfold: >-\n  x\n  y\nflow: {k: [1, 'two']}\nanc: &x v\nref: *x\nplain: one\n  two\n");
    expect(t.get("lit")).toBe("a\n b\n");
    expect(t.get("fold")).toBe("x y");
    expect(t.get("anc")).toBe("v");
    expect(t.get("ref")).toBe("v");
    expect(t.get("plain")).toBe("one two");
    expect((t.get("flow") as TreeMap).get("k")).toEqual([1n, "two"]);
  });

  it.each([
    { reason: "blanks on one line are kept", text: `a: "x  y"\n`, want: "x  y" },
    { reason: "one break folds to a space, trailing and leading blanks dropped", text: `a: "x  \n   y"\n`, want: "x y" },
    { reason: "n breaks fold to n-1 newlines", text: `a: "x\n\n\n  y"\n`, want: "x\n\ny" },
    { reason: "an escaped break joins the lines and keeps the blanks before it", text: `a: "x \\\n  y"\n`, want: "x y" },
    { reason: "single quotes fold the same way", text: "a: 'x  y\n\n  z'\n", want: "x  y\nz" },
  ])("folds whitespace in quoted scalars ($reason)", ({ text, want }) => {
    expect(top(text).get("a")).toBe(want);
  });

  it.each([
    { reason: "a duplicate key", text: "a: 1\na: 2\n" },
    { reason: "tab indentation", text: "a:\n\tb: 1\n" },
    { reason: "a top-level list", text: "- a\n- b\n" },
    { reason: "an unterminated quoted string", text: 'a: "open\n' },
    { reason: "an unknown alias", text: "a: *nope\n" },
    { reason: "an integer above int64", text: "a: 18446744073709551615\n" },
  ])("rejects $reason with decrypt.parse_failed", ({ text }) => {
    let err: unknown;
    try {
      yaml.parsePlain(Buffer.from(text), "f.yaml");
    } catch (e) {
      err = e;
    }
    expect(isSigilError(err, "decrypt.parse_failed")).toBe(true);
  });
});

describe("YAML store: writing as go-yaml v3", () => {
  const one = (value: TreeValue): string => Buffer.from(yaml.emitPlain([new TreeMap([{ key: "k", value }])])).toString("utf8");
  it.each([
    { reason: "plain string", value: "hello world", out: "k: hello world\n" },
    { reason: "would read as a bool (YAML 1.1)", value: "yes", out: 'k: "yes"\n' },
    { reason: "would read as a number", value: "123", out: 'k: "123"\n' },
    { reason: "empty string", value: "", out: 'k: ""\n' },
    { reason: "leading space", value: " x", out: "k: ' x'\n" },
    { reason: "colon-space", value: "a: b", out: "k: 'a: b'\n" },
    { reason: "tab", value: "a\tb", out: 'k: "a\\tb"\n' },
    { reason: "emoji (go-yaml escapes non-BMP)", value: "😀", out: 'k: "\\U0001F600"\n' },
    { reason: "multi-line ends with newline", value: "a\nb\n", out: "k: |\n    a\n    b\n" },
    { reason: "multi-line without final newline", value: "a\nb", out: "k: |-\n    a\n    b\n" },
    { reason: "multi-line with leading spaces", value: "  a\nb", out: "k: |4-\n      a\n    b\n" },
    { reason: "float 1e21", value: 1e21, out: "k: 1e+21\n" },
    { reason: "float 1e-7", value: 1e-7, out: "k: 1e-07\n" },
    { reason: "integral float", value: 1, out: "k: 1\n" },
    { reason: "null", value: null, out: "k: null\n" },
    { reason: "empty map", value: new TreeMap(), out: "k: {}\n" },
    { reason: "empty list", value: [], out: "k: []\n" },
  ])("writes $reason as sops does", ({ value, out }) => {
    expect(one(value)).toBe(out);
  });

  it("uses the configured indentation", () => {
    const b: Branches = [new TreeMap([{ key: "a", value: new TreeMap([{ key: "b", value: ["x"] }]) }])];
    expect(Buffer.from(storeFor("yaml", { yamlIndent: 2 }).emitPlain(b)).toString()).toBe("a:\n  b:\n    - x\n");
  });
});

describe("JSON, dotenv, INI and binary stores", () => {
  it("keeps int64 exact, escapes like Go, and writes TAB indentation", () => {
    const json = storeFor("json");
    const b = json.parsePlain(Buffer.from('{"n": 9007199254740993, "f": 1.0, "s": "<&>\\u2028", "e": {}, "l": []}'));
    expect(Buffer.from(json.emitPlain(b)).toString()).toBe('{\n\t"n": 9007199254740993,\n\t"f": 1,\n\t"s": "\\u003c\\u0026\\u003e\\u2028",\n\t"e": {},\n\t"l": []\n}\n');
  });

  it("splits dotenv lines at the first = and turns \\n into newlines", () => {
    const env = storeFor("dotenv");
    const t = env.parsePlain(Buffer.from("A=b=c\nB=x\\ny\n# c\n"))[0] ?? new TreeMap();
    expect(t.get("A")).toBe("b=c");
    expect(t.get("B")).toBe("x\ny");
    expect(Buffer.from(env.emitPlain([t])).toString()).toBe("A=b=c\nB=x\\ny\n# c\n");
  });

  it("rejects a dotenv line without =", () => {
    expect(() => storeFor("dotenv").parsePlain(Buffer.from("novalue\n"), "a.env")).toThrow(expect.objectContaining({ code: "decrypt.parse_failed", subject: "a.env" }));
  });

  it("writes INI as go-ini does: aligned =, quoted values, blank lines between sections", () => {
    const ini = storeFor("ini");
    const t = ini.parsePlain(Buffer.from("[s]\nkey = v\nlonger_key = a ;inline\n[t]\nx =  y \n"));
    expect(Buffer.from(ini.emitPlain(t)).toString()).toBe("[s]\nkey        = v\n; inline\nlonger_key = a\n\n[t]\nx = y\n");
    const quoted: Branches = [new TreeMap([{ key: "s", value: new TreeMap([{ key: "k", value: "a;b" }, { key: "p", value: " pad " }]) }])];
    expect(Buffer.from(ini.emitPlain(quoted)).toString()).toBe('[s]\nk = `a;b`\np = " pad "\n');
  });

  it("keeps binary bytes that are not UTF-8", () => {
    const bin = storeFor("binary");
    const bytes = Buffer.from([0xff, 0x00, 0x80, 0x41]);
    expect(Buffer.from(bin.emitPlain(bin.parsePlain(bytes))).equals(bytes)).toBe(true);
  });
});
