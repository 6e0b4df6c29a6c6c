/**
 * What ESO does to the keys and values of `dataFrom` results
 * (`pkg/utils`): rewrite (regexp, transform), key conversion, key
 * validation and value decoding. Regular expressions are RE2 (re2js), as in Go.
 */
import type { RE2JS } from "re2js";
import { SigilError, decodeBase64Strict } from "../core/index.js";
import { compileRegexp } from "../providers/index.js";
import { renderTemplate } from "./template/index.js";
import type { Rewrite } from "./types.js";

/** A key → bytes map. */
export type ByteMap = Map<string, Uint8Array>;

const isKeyChar = (c: string): boolean => /[\p{L}\p{N}\-._]/u.test(c);

/** ESO `ConvertKeys`: Default replaces other characters with `_`, Unicode with `_UXXXX_`. @throws `es.invalid_spec` on a collision. */
export function convertKeys(strategy: string | undefined, input: ByteMap): ByteMap {
  const out: ByteMap = new Map();
  for (const [k, v] of input) {
    const key = Array.from(k).map((c) => {
      if (isKeyChar(c)) return c;
      if (strategy === "Unicode") return `_U${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}_`;
      return strategy === undefined || strategy === "" || strategy === "Default" ? "_" : c;
    }).join("");
    if (out.has(key)) throw new SigilError("es.invalid_spec", `secret name collision during conversion: ${key}`, { subject: "conversionStrategy" });
    out.set(key, v);
  }
  return out;
}

/** ESO `ValidateKeys`: empty keys are dropped; others must be ≤ 253 of letters, digits, `-._`. */
export function validateKeys(input: ByteMap): void {
  for (const key of [...input.keys()]) {
    if (key === "") {
      input.delete(key);
      continue;
    }
    if (Buffer.byteLength(key) > 253) throw new SigilError("es.invalid_spec", `key has length ${Buffer.byteLength(key)} but max is 253`, { subject: "keys" });
    const bad = Array.from(key).find((c) => !isKeyChar(c));
    if (bad !== undefined) throw new SigilError("es.invalid_spec", `key has invalid character ${bad}, only alphanumeric, '-', '.' and '_' are allowed: ${key}`, { subject: "keys" });
  }
}


/** ESO `Decode` (Go's padded base64 decoders; `\r` and `\n` are ignored by them). @throws `es.invalid_spec` on bad input. */
export function decodeValue(strategy: string | undefined, value: Uint8Array): Uint8Array {
  const text = (): string => Buffer.from(value).toString("latin1").replace(/[\r\n]/g, "");
  switch (strategy) {
    case undefined: case "": case "None": return value;
    case "Base64": {
      const decoded = decodeBase64Strict(text());
      if (decoded === undefined) throw new SigilError("es.invalid_spec", "illegal base64 data", { subject: "decodingStrategy" });
      return new Uint8Array(decoded);
    }
    case "Base64URL": {
      const decoded = decodeBase64Strict(text(), { alphabet: "url" });
      if (decoded === undefined) throw new SigilError("es.invalid_spec", "illegal base64 data", { subject: "decodingStrategy" });
      return new Uint8Array(decoded);
    }
    case "Auto":
      for (const s of ["Base64", "Base64URL"]) {
        try {
          return decodeValue(s, value);
        } catch { /* try the next */ }
      }
      return value;
    default: throw new SigilError("es.invalid_spec", `decoding strategy ${strategy} is not supported`, { subject: "decodingStrategy" });
  }
}

/** `DecodeMap`. */
export function decodeMap(strategy: string | undefined, input: ByteMap): ByteMap {
  const out: ByteMap = new Map();
  for (const [k, v] of input) out.set(k, decodeValue(strategy, v));
  return out;
}

/** Go's `Regexp.Expand` of a `ReplaceAllString` template (`$1`, `${1}`, `$name`, `${name}`, `$$`). */
function expand(template: string, group: (g: string | number) => string | null, names: ReadonlySet<string>): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_m, all: string, braced?: string, bare?: string) => {
    if (all === "$") return "$";
    const name = braced ?? bare ?? "";
    if (/^\d+$/.test(name)) {
      try {
        return group(Number(name)) ?? "";
      } catch {
        return "";
      }
    }
    return names.has(name) ? (group(name) ?? "") : "";
  });
}

/** Go's `ReplaceAllString` (empty matches right after a match are skipped). */
export function replaceAllGo(re: RE2JS, input: string, template: string): string {
  const m = re.matcher(input);
  const names = new Set(Object.keys(re.namedGroups()));
  let out = "";
  let last = 0;
  let pos = 0;
  let prevEnd = -1;
  while (pos <= input.length && m.find(pos)) {
    const s = m.start();
    const e = m.end();
    if (s === e && s === prevEnd) {
      pos = s + 1;
      continue;
    }
    out += input.slice(last, s) + expand(template, (g) => m.group(g), names);
    last = e;
    prevEnd = e;
    pos = e === s ? e + 1 : e;
  }
  return out + input.slice(last);
}

/** ESO `RewriteMap`: each operation in order, over the keys. */
export function rewriteMap(ops: readonly Rewrite[] | undefined, input: ByteMap): ByteMap {
  let out = input;
  ops?.forEach((op, i) => {
    if (op.regexp !== undefined) {
      const re = compileRegexp(op.regexp.source ?? "");
      const next: ByteMap = new Map();
      for (const [k, v] of out) next.set(replaceAllGo(re, k, op.regexp.target ?? ""), v);
      out = next;
    }
    if (op.transform !== undefined) {
      const next: ByteMap = new Map();
      for (const [k, v] of out) next.set(renderTemplate(op.transform.template ?? "", { value: k }, `rewrite[${i}].transform`), v);
      out = next;
    }
  });
  return out;
}
