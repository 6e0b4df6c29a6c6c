import { describe, expect, it } from "vitest";
import { LruMap, SigilError, isGoTrue, isNetworkErrorCode, parseGoBool, parseGoDuration } from "../../../src/core/index.js";

function rejection(f: () => unknown): SigilError {
  try {
    f();
  } catch (err) {
    if (err instanceof SigilError) return err;
    throw err;
  }
  throw new Error("expected a throw");
}

describe("parseGoDuration", () => {
  it.each([
    { text: "0", ms: 0, reason: "a bare zero" },
    { text: "720h", ms: 720 * 3_600_000, reason: "hours" },
    { text: "1h30m", ms: 5_400_000, reason: "several units" },
    { text: "1.5s", ms: 1500, reason: "a fraction" },
    { text: "500ms", ms: 500, reason: "milliseconds before minutes in the unit table" },
    { text: "2us", ms: 0.002, reason: "microseconds" },
    { text: "-2m", ms: -120_000, reason: "a sign" },
    { text: ".5h", ms: 1_800_000, reason: "a leading dot" },
  ])("reads $text ($reason)", ({ text, ms }) => {
    expect(parseGoDuration(text, "--x")).toBeCloseTo(ms, 6);
  });

  it.each([
    { text: "30", reason: "no unit" },
    { text: "", reason: "empty" },
    { text: "1d", reason: "an unknown unit" },
    { text: "h", reason: "a unit without a number" },
    { text: "1..2s", reason: "two dots" },
    { text: "1h 2m", reason: "a space inside" },
    { text: `${"1".repeat(100)}s`, reason: "longer than any Go duration" },
  ])("refuses '$text' ($reason) with input.invalid naming the flag", ({ text }) => {
    const err = rejection(() => parseGoDuration(text, "--key-ttl"));
    expect(err.code).toBe("input.invalid");
    expect(err.message).toContain("--key-ttl");
  });
});

describe("parseGoBool and isGoTrue", () => {
  it("take Go's spellings and refuse others with input.invalid", () => {
    for (const t of ["1", "t", "T", "TRUE", "true", "True"]) expect(parseGoBool(t, "X")).toBe(true);
    for (const f of ["0", "f", "F", "FALSE", "false", "False"]) expect(parseGoBool(f, "X")).toBe(false);
    const err = rejection(() => parseGoBool("yes", "SEALED_SECRETS_RAW"));
    expect(err.code).toBe("input.invalid");
    expect(err.message).toBe("SEALED_SECRETS_RAW must be true or false, got 'yes'");
    expect(isGoTrue("T")).toBe(true);
    expect(isGoTrue("yes")).toBe(false);
    expect(isGoTrue(undefined)).toBe(false);
  });
});

describe("isNetworkErrorCode", () => {
  it("knows connection failures and nothing else", () => {
    expect(isNetworkErrorCode("ECONNREFUSED")).toBe(true);
    expect(isNetworkErrorCode("ENOENT")).toBe(false);
    expect(isNetworkErrorCode(42)).toBe(false);
  });
});

describe("LruMap", () => {
  it("forgets the least recently used entry beyond its cap, counting get as a use but not peek", () => {
    const evicted: string[] = [];
    const lru = new LruMap<string, number>(2, (k) => evicted.push(k));
    lru.set("a", 1).set("b", 2);
    expect(lru.get("a")).toBe(1);
    lru.set("c", 3);
    expect(evicted).toEqual(["b"]);
    expect(lru.peek("a")).toBe(1);
    lru.set("d", 4);
    expect(evicted).toEqual(["b", "a"]);
    expect([...lru.entries()].map(([k]) => k)).toEqual(["c", "d"]);
    expect(lru.size).toBe(2);
  });
});
