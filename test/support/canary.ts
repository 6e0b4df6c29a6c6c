/**
 * Plaintext canaries: distinctive values a test feeds through the code, and
 * every form in which one would leak if printed: raw, base64 (how Secret
 * data and most wrapped keys travel), hex (bytes), JSON-escaped, and any
 * 8-character quote of its random parts. A leak check that looks only for
 * the raw value misses the forms secrets actually travel in (docs/testing.md).
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";

/** A plaintext nobody else would print, and the forms of it that must never appear. */
export interface Canary {
  readonly value: string;
  /** Random parts of the value: a quote of any 8 characters of one is a leak even when the whole value is not printed. */
  readonly cores: readonly string[];
}

/**
 * `k<12 hex>-<label>-<12 hex><suffix>`: random at both ends (the `k` keeps
 * it from reading as a number), so a parser error
 * quoting the first or last few characters is caught too; `suffix` adds
 * awkward characters (quotes, newlines, unicode).
 */
export function canary(label = "canary", suffix = ""): Canary {
  const head = randomBytes(6).toString("hex");
  const tail = randomBytes(6).toString("hex");
  return { value: `k${head}-${label}-${tail}${suffix}`, cores: [head, tail] };
}

/** A canary of `length` decimal digits (for values that must parse as numbers), starting with `prefix`. */
export function digitCanary(length = 24, prefix = "9"): Canary {
  let digits = "";
  while (digits.length < length) digits += randomBytes(8).readBigUInt64BE().toString().slice(1);
  const value = `${prefix}${digits.slice(0, length - prefix.length)}`;
  return { value, cores: [value.slice(prefix.length)] };
}

/** A quote of this many characters of a random part counts as a leak. */
const WINDOW = 8;

/** Every form of `c` whose presence in output is a leak. */
export function leakForms(c: Canary): string[] {
  const forms = [
    c.value,
    Buffer.from(c.value, "utf8").toString("base64"),
    Buffer.from(c.value, "utf8").toString("hex"),
    JSON.stringify(c.value).slice(1, -1),
  ];
  for (const core of c.cores) for (let i = 0; i + WINDOW <= core.length; i++) forms.push(core.slice(i, i + WINDOW));
  return [...new Set(forms)];
}

/** Assert that no form of any canary appears in any of the named texts. */
export function expectNoLeak(texts: Readonly<Record<string, string>>, ...canaries: Canary[]): void {
  for (const c of canaries) {
    for (const form of leakForms(c)) {
      for (const [where, text] of Object.entries(texts)) {
        expect(text.includes(form), `${where} contains a form of the canary (${JSON.stringify(form.slice(0, 16))}…):\n${text.slice(0, 2000)}`).toBe(false);
      }
    }
  }
}

/** The canary's UTF-8 bytes, for code that takes a plaintext as bytes (data keys, Secret values). */
export function canaryBytes(c: Canary): Buffer {
  return Buffer.from(c.value, "utf8");
}
