/**
 * The JSON logger with objects that may carry secrets: every string is
 * redacted before JSON escaping, byte arrays (Buffers included) are never
 * printed, errors are reduced to code, subject and message along their
 * cause chain, and the CLI's last-resort error report goes through the same
 * redaction.
 */
import { describe, expect, it } from "vitest";
import { Logger, REDACTED, Redactor, SigilError } from "../../../src/core/index.js";
import type { LogFields } from "../../../src/core/index.js";
import { canary, expectNoLeak } from "./support.js";
import type { Canary } from "./support.js";

function capture(redactor: Redactor): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger({ level: "debug", redactor, sink: (l) => lines.push(l), clock: () => new Date(0) }), lines };
}

/** The decimal bytes of `text`, as JSON prints a Buffer (`"data":[107,…]`). */
function byteList(text: string): string {
  return [...Buffer.from(text)].join(",");
}

describe("log fields that carry secrets", () => {
  interface FieldCase {
    readonly reason: string;
    readonly fields: (c: Canary) => LogFields;
  }
  const CASES: readonly FieldCase[] = [
    { reason: "a string field", fields: (c) => ({ value: c.value }) },
    { reason: "a Buffer field (JSON.stringify calls Buffer#toJSON before any replacer)", fields: (c) => ({ plaintext: Buffer.from(c.value) }) },
    { reason: "a Buffer nested in an object, as in a Secret being written", fields: (c) => ({ secret: { data: { password: Buffer.from(c.value) } } }) },
    { reason: "a Uint8Array field", fields: (c) => ({ bytes: new Uint8Array(Buffer.from(c.value)) }) },
    { reason: "a Secret object with base64 data", fields: (c) => ({ secret: { kind: "Secret", data: { password: Buffer.from(c.value).toString("base64") } } }) },
    { reason: "an array of values", fields: (c) => ({ values: ["x", c.value, Buffer.from(c.value)] }) },
    { reason: "an error whose message and cause quote the value", fields: (c) => ({ err: new SigilError("internal", `saw ${c.value}`, { cause: new Error(`upstream said ${JSON.stringify(c.value)}`) }) }) },
    { reason: "an object whose toJSON returns the value", fields: (c) => ({ custom: { toJSON: () => c.value } }) },
  ];

  it.each(CASES)("$reason", ({ fields }) => {
    const r = new Redactor();
    const secret = canary("canary", '"\n');
    r.register(secret.value);
    const { logger, lines } = capture(r);
    logger.debug("handling", fields(secret));
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? "";
    expect(() => JSON.parse(line) as unknown).not.toThrow();
    expectNoLeak({ line }, secret);
    expect(line).not.toContain(byteList(secret.value));
  });

  it("prints byte arrays as their length only, even for values nobody registered", () => {
    const { logger, lines } = capture(new Redactor());
    const secret = canary();
    logger.info("bytes", { a: Buffer.from(secret.value), b: new Uint8Array(Buffer.from(secret.value)) });
    const record = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(record["a"]).toBe(`<${Buffer.byteLength(secret.value)} bytes>`);
    expect(record["b"]).toBe(`<${Buffer.byteLength(secret.value)} bytes>`);
  });

  it("redacts a registered value in the message and in child-logger fields", () => {
    const r = new Redactor();
    const secret = canary();
    r.register(secret.value);
    const { logger, lines } = capture(r);
    logger.child({ context: secret.value }).warn(`message with ${secret.value}`);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ msg: `message with ${REDACTED}`, context: REDACTED });
  });
});
