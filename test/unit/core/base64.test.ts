import { describe, expect, it } from "vitest";
import { decodeBase64Strict, isStrictBase64 } from "../../../src/core/index.js";

/** The strict regex the decoder replaces: the reference for what is valid. */
const REFERENCE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

describe("strict base64 (one linear decoder for every input path)", () => {
  it.each([
    { text: "", reason: "empty" },
    { text: "QQ==", reason: "two pad characters" },
    { text: "QUI=", reason: "one pad character" },
    { text: "QUJD", reason: "no padding" },
    { text: "QQ", reason: "unpadded" },
    { text: "Q===", reason: "three pad characters" },
    { text: "====", reason: "only padding" },
    { text: "QQ=A", reason: "padding in the middle" },
    { text: "QQ==QUJD", reason: "padding before more data" },
    { text: "QU JD", reason: "a space" },
    { text: "QUJ-", reason: "a URL-alphabet character" },
    { text: "QUJ\u00e9", reason: "a non-ASCII character" },
    { text: "Q", reason: "one character" },
  ])("agrees with the strict regex on $reason", ({ text }) => {
    expect(isStrictBase64(text)).toBe(REFERENCE.test(text));
    const decoded = decodeBase64Strict(text);
    expect(decoded === undefined).toBe(!REFERENCE.test(text));
    if (decoded !== undefined) expect(decoded).toEqual(Buffer.from(text, "base64"));
  });

  it("ignores CR and LF only when asked, as Go's decoder does", () => {
    expect(decodeBase64Strict("QU\r\nJD")).toBeUndefined();
    expect(decodeBase64Strict("QU\r\nJD", { ignoreNewlines: true })?.toString()).toBe("ABC");
  });

  it("decodes the URL alphabet when asked", () => {
    expect(decodeBase64Strict("-_8=", { alphabet: "url" })).toEqual(Buffer.from([0xfb, 0xff]));
    expect(decodeBase64Strict("-_8=")).toBeUndefined();
  });

  it("decodes a 64 MiB value without overflowing the stack (the regex failed at 4 MiB)", () => {
    const bytes = Buffer.alloc(64 * 1024 * 1024 + 1, 0xa5);
    expect(decodeBase64Strict(bytes.toString("base64"))?.equals(bytes)).toBe(true);
    expect(() => REFERENCE.test(Buffer.alloc(4 * 1024 * 1024).toString("base64"))).toThrow(RangeError);
  });
});
