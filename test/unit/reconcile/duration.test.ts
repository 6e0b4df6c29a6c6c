import { describe, expect, it } from "vitest";
import { parseGoDuration } from "../../../src/reconcile/index.js";

describe("spec durations (GitSource/Sync interval, timeout, retryInterval)", () => {
  it.each([
    { reason: "hours and minutes", text: "1h30m", ms: 5_400_000 },
    { reason: "milliseconds", text: "500ms", ms: 500 },
    { reason: "a bare zero", text: "0", ms: 0 },
    { reason: "a fraction, as Go takes it", text: "1.5s", ms: 1500 },
  ])("reads $reason", ({ text, ms }) => {
    expect(parseGoDuration(text, "spec.interval")).toBe(ms);
  });

  it.each([
    { reason: "a negative duration", text: "-1m" },
    { reason: "no unit", text: "10" },
    { reason: "not a duration", text: "soon" },
  ])("refuses $reason with input.invalid naming the field", ({ text }) => {
    expect(() => parseGoDuration(text, "spec.timeout")).toThrow(expect.objectContaining({ code: "input.invalid", subject: "spec.timeout" }));
  });
});
