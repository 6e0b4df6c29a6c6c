/**
 * The redactor's weak spots, each as a behaviour: the forms a secret can
 * take in output, overlapping secrets, the documented trade-offs (short
 * values, short lines of a multi-line value, truncated quotes), bounded
 * growth in a long-running process, and redaction cost that does not grow
 * with the number of registered values.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MIN_LINE_LENGTH, MIN_SECRET_LENGTH, REDACTED, Redactor, defaultRedactorOptions, redact, redactor } from "../../../src/core/index.js";
import { canary, expectNoLeak } from "./support.js";

const hex = (bytes: number): string => randomBytes(bytes).toString("hex");

describe("the redactor finds a secret in the forms output gives it", () => {
  interface FormCase {
    readonly reason: string;
    readonly secret: string;
    /** How the secret appears in the printed text. */
    readonly printed: (secret: string) => string;
  }
  const CASES: readonly FormCase[] = [
    { reason: "as is", secret: `k${hex(8)}`, printed: (s) => s },
    { reason: "base64, as Kubernetes Secret data carries it", secret: `k${hex(8)}`, printed: (s) => Buffer.from(s).toString("base64") },
    { reason: "JSON-escaped: a quote inside a JSON string", secret: `k${hex(6)}"q"${hex(6)}`, printed: (s) => JSON.stringify({ value: s }) },
    { reason: "JSON-escaped: a newline and a backslash", secret: `k${hex(6)}\n\\${hex(6)}`, printed: (s) => JSON.stringify(s) },
    { reason: "JSON-escaped: a control character", secret: `k${hex(6)}\u0007${hex(6)}`, printed: (s) => JSON.stringify(s) },
    { reason: "YAML single-quoted: quotes doubled", secret: `it's-${hex(8)}`, printed: (s) => `password: '${s.replaceAll("'", "''")}'` },
    { reason: "NFC when registered in NFD (é as e + combining accent)", secret: `caf\u0065\u0301-${hex(8)}`, printed: (s) => s.normalize("NFC") },
    { reason: "NFD when registered in NFC", secret: `caf\u00e9-${hex(8)}`, printed: (s) => s.normalize("NFD") },
    { reason: "a multi-line value quoted one line at a time (a YAML block scalar)", secret: `line-one-${hex(6)}\nline-two-${hex(6)}\n`, printed: (s) => `key: |\n${s.split("\n").map((l) => `    ${l}`).join("\n")}` },
    { reason: "a multi-line value with CRLF line ends, line by line", secret: `first-${hex(6)}\r\nsecond-${hex(6)}`, printed: (s) => s.split("\r\n").join(" / ") },
  ];

  it.each(CASES)("$reason", ({ secret, printed }) => {
    const r = new Redactor();
    r.register(secret);
    const text = `before ${printed(secret)} after`;
    const out = r.redact(text);
    expect(out).toContain(REDACTED);
    expect(out.startsWith("before ")).toBe(true);
    for (const random of secret.match(/[0-9a-f]{8,}/g) ?? []) expect(out).not.toContain(random);
  });

  it("registers bytes as text, base64 and hex", () => {
    const r = new Redactor();
    const bytes = Buffer.from(`k${hex(10)}`);
    r.register(new Uint8Array(bytes));
    for (const form of [bytes.toString("utf8"), bytes.toString("base64"), bytes.toString("hex")]) expect(r.redact(`x ${form} y`)).toBe(`x ${REDACTED} y`);
  });

  it("registers bytes that are not UTF-8 as base64 and hex only", () => {
    const r = new Redactor();
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x42, 0x43, 0x44, 0x45]);
    r.register(bytes);
    expect(r.redact(bytes.toString("base64"))).toBe(REDACTED);
    expect(r.redact(bytes.toString("hex"))).toBe(REDACTED);
  });
});

describe("overlapping and adjacent secrets are redacted whole", () => {
  it("leaves no piece of either of two secrets that overlap in the text", () => {
    const r = new Redactor();
    const head = hex(6);
    const shared = hex(3);
    const tail = hex(6);
    const a = `${head}${shared}`;
    const b = `${shared}${tail}`;
    r.register(a);
    r.register(b);
    const out = r.redact(`x ${head}${shared}${tail} y`);
    expect(out).toBe(`x ${REDACTED} y`);
  });

  it("prefers the longest form starting at a position", () => {
    const r = new Redactor();
    const short = `k${hex(4)}`;
    const long = `${short}${hex(4)}`;
    r.register(short);
    r.register(long);
    expect(r.redact(`<${long}>`)).toBe(`<${REDACTED}>`);
    expect(r.redact(`<${short}>`)).toBe(`<${REDACTED}>`);
  });

  it("merges adjacent secrets into one marker and keeps the text between separate ones", () => {
    const r = new Redactor();
    const a = `a${hex(5)}`;
    const b = `b${hex(5)}`;
    r.register(a);
    r.register(b);
    expect(r.redact(`${a}${b}`)).toBe(REDACTED);
    expect(r.redact(`${a} and ${b}`)).toBe(`${REDACTED} and ${REDACTED}`);
  });
});

describe("documented trade-offs (docs/security.md)", () => {
  it(`does not redact values shorter than ${MIN_SECRET_LENGTH} characters: they would blank ordinary text`, () => {
    const r = new Redactor();
    r.register("abc");
    expect(r.redact("abc-def")).toBe("abc-def");
  });

  it(`does not redact lines of a multi-line secret shorter than ${MIN_LINE_LENGTH} characters on their own`, () => {
    const r = new Redactor();
    const secret = `long-line-${hex(6)}\nshort\n`;
    r.register(secret);
    expect(r.redact("short")).toBe("short");
    expect(r.redact(secret)).toBe(REDACTED);
  });

  it("does not redact a truncated quote of a secret: the code must not quote values at all", () => {
    const r = new Redactor();
    const secret = `k${hex(20)}`;
    r.register(secret);
    expect(r.redact(`'${secret.slice(0, 20)}…'`)).toContain(secret.slice(0, 20));
  });

  it("redacts a registered low-entropy value everywhere, ordinary words included", () => {
    const r = new Redactor();
    r.register("info");
    expect(r.redact('{"level":"info"}')).toBe(`{"level":"${REDACTED}"}`);
  });
});

describe("the redactor stays bounded in a long-running process", () => {
  it("forgets the least recently registered values beyond its cap", () => {
    const r = new Redactor({ maxValues: 300 });
    const values = Array.from({ length: 1000 }, () => `k${hex(8)}`);
    for (const v of values) r.register(v);
    expect(r.size).toBeLessThanOrEqual(300);
    const last = values.at(-1) ?? "";
    expect(r.redact(last)).toBe(REDACTED);
    expect(r.redact(values[0] ?? "")).toBe(values[0]);
  });

  it("keeps a value that is registered again on use", () => {
    const r = new Redactor({ maxValues: 50 });
    const hot = `hot-${hex(8)}`;
    for (let i = 0; i < 500; i++) {
      r.register(`k${hex(8)}`);
      if (i % 10 === 0) r.register(hot);
    }
    expect(r.redact(hot)).toBe(REDACTED);
    expect(r.redact(Buffer.from(hot).toString("base64"))).toBe(REDACTED);
  });

  it("never forgets pinned key material, and pinning does not count against the cap", () => {
    const cap = 20;
    const r = new Redactor({ maxValues: cap });
    const key = `-----BEGIN PRIVATE KEY-----\nMII${hex(30)}\n-----END PRIVATE KEY-----\n`;
    r.register(key, { pin: true });
    const pinnedForms = r.size;
    expect(pinnedForms).toBeGreaterThan(2);
    const values = Array.from({ length: 200 }, () => `k${hex(8)}`);
    for (const v of values.slice(0, 100)) r.register(v);
    r.register(key); // registering pinned material again, unpinned, must not unpin it
    for (const v of values.slice(100)) r.register(v);
    expect(r.redact(key)).toBe(REDACTED);
    expect(r.redact(`MII${key.split("\n")[1]?.slice(3) ?? ""}`)).toBe(REDACTED);
    // The cap holds `cap` unpinned forms on top of the pinned ones: each value has two forms (as is, base64),
    // so the last cap/2 values are all still redacted, and the one before them is forgotten.
    expect(r.size).toBe(pinnedForms + cap);
    for (const v of values.slice(-cap / 2)) expect(r.redact(`<${v}>`), v).toBe(`<${REDACTED}>`);
    const older = values.at(-cap / 2 - 1) ?? "";
    expect(r.redact(`<${older}>`)).toBe(`<${older}>`);
  });

  it("caps the process redactor", () => {
    const { maxValues } = defaultRedactorOptions();
    expect(Number.isFinite(maxValues)).toBe(true);
    const before = redactor.size;
    const first = `k${hex(8)}-first`;
    redactor.register(first);
    expect(redact(`<${first}>`)).toBe(`<${REDACTED}>`);
    // Two forms per value: this registers more than maxValues forms.
    const run = hex(4);
    for (let i = 0; i <= maxValues / 2; i++) redactor.register(`cap-${run}-${i}`);
    expect(redact(`<${first}>`)).toBe(`<${first}>`);
    expect(redactor.size).toBeLessThanOrEqual(before + maxValues);
    expect(redact(`<cap-${run}-${Math.floor(maxValues / 2)}>`)).toBe(`<${REDACTED}>`);
  });

  it("redacts in time that does not grow with the number of registered values", () => {
    const r = new Redactor({ maxValues: 60_000 });
    for (let i = 0; i < 20_000; i++) r.register(`v${i}-${hex(6)}`);
    const target = canary();
    r.register(target.value);
    const line = `${"ordinary log text, nothing secret here. ".repeat(25)}${target.value}`;
    const started = performance.now();
    let out = "";
    for (let i = 0; i < 500; i++) out = r.redact(line);
    const elapsed = performance.now() - started;
    expectNoLeak({ out }, target);
    // A scan over every registered value (40 000 forms × 500 lines) takes seconds; an index by prefix takes milliseconds.
    expect(elapsed).toBeLessThan(1000);
  });
});
