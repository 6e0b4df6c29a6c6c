import { describe, expect, it } from "vitest";
import { Logger, REDACTED, Redactor, SigilError, describeError } from "../../../src/core/index.js";

const CANARY = "canary-7f3a9c-do-not-print";

function capture(redactor: Redactor): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger({ level: "debug", redactor, sink: (l) => lines.push(l), clock: () => new Date(0) });
  return { logger, lines };
}

describe("redaction", () => {
  it("removes a registered canary from a logged error, its cause chain and fields", () => {
    const redactor = new Redactor();
    redactor.register(CANARY);
    const { logger, lines } = capture(redactor);
    const cause = new Error(`upstream said ${CANARY}`);
    const err = new SigilError("decrypt.mac_mismatch", `value ${CANARY} did not verify`, { subject: "secrets.yaml", cause });
    logger.error("decrypt failed", { err, detail: CANARY });
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).not.toContain(CANARY);
    expect(line).toContain(REDACTED);
    const record = JSON.parse(line) as { err: { code: string; subject: string; cause: { message: string } } };
    expect(record.err.code).toBe("decrypt.mac_mismatch");
    expect(record.err.subject).toBe("secrets.yaml");
    expect(record.err.cause.message).toBe(`upstream said ${REDACTED}`);
  });

  it("redacts secrets that JSON escaping would otherwise change", () => {
    const redactor = new Redactor();
    const tricky = 'pa"ss\nword\\x';
    redactor.register(tricky);
    const { logger, lines } = capture(redactor);
    logger.warn("oops", { value: tricky });
    expect(lines[0]).not.toContain(JSON.stringify(tricky).slice(1, -1));
    expect(JSON.parse(lines[0]!)).toMatchObject({ value: REDACTED });
  });

  it("redacts the base64 form of registered bytes", () => {
    const redactor = new Redactor();
    const bytes = Buffer.from(CANARY);
    redactor.register(new Uint8Array(bytes));
    expect(redactor.redact(`data: ${bytes.toString("base64")}`)).toBe(`data: ${REDACTED}`);
  });

  it("leaves values shorter than the minimum alone", () => {
    const redactor = new Redactor();
    redactor.register("ab");
    expect(redactor.redact("abc")).toBe("abc");
    expect(redactor.size).toBe(1); // only the base64 form "YWI=" is long enough
  });

  it("does not log below the configured level", () => {
    const lines: string[] = [];
    const logger = new Logger({ level: "warn", sink: (l) => lines.push(l) });
    logger.info("hidden");
    logger.warn("shown");
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(["shown"]);
  });
});

describe("errors", () => {
  it("carry a code, a subject and a cause, and describe the chain", () => {
    const err = new SigilError("provider.unreachable", "could not reach vault at http://127.0.0.1:1", {
      subject: "Secret/ns/name",
      cause: new Error("connect ECONNREFUSED"),
    });
    expect(err.code).toBe("provider.unreachable");
    expect(describeError(err)).toBe(
      "Secret/ns/name: could not reach vault at http://127.0.0.1:1 [provider.unreachable]: caused by: connect ECONNREFUSED",
    );
  });
});
