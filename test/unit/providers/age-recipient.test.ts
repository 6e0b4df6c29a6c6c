import { describe, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import { ageRecipientKind, ageRecipientRef, parseAgeRecipients } from "../../../src/providers/index.js";

const X25519 = "age1uhltqrrk67gga0a9l6pj7c9h9fyqa30x5srgtm4r4s45jn4hv49qqs74yv";
const X25519_2 = "age1rahkwnudxqfuun8jfyarm94hyzm262hff894fpwutrz4c34qhfyql2jrxw";

describe("age recipients", () => {
  it("accepts an X25519 recipient and trims surrounding whitespace, as sops does", () => {
    expect(ageRecipientRef(`  ${X25519}\n`)).toEqual({ type: "age", recipient: X25519 });
  });

  const rejected = [
    { input: X25519.slice(0, -1) + (X25519.endsWith("v") ? "w" : "v"), reason: "a checksum broken by one character" },
    { input: "age1abc", reason: "too short to hold a key" },
    { input: "AGE-SECRET-KEY-1QQQ", reason: "an identity, not a recipient" },
    { input: "age1yubikey1qwertyuiop", reason: "a plugin recipient (more than one '1'), not supported" },
    { input: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh", reason: "an ssh recipient, not supported" },
    { input: "", reason: "empty" },
  ];
  it.each(rejected)("rejects $reason with provider.invalid_key and names the input", ({ input }) => {
    let caught: unknown;
    try {
      ageRecipientRef(input);
    } catch (err) {
      caught = err;
    }
    expect(isSigilError(caught, "provider.invalid_key")).toBe(true);
    expect((caught as Error).message).toContain(`'${input.trim()}'`);
  });

  const kinds = [
    { input: X25519, kind: "x25519", reason: "one '1' after the hrp" },
    { input: "age1pq1abcdef", kind: "hybrid", reason: "post-quantum prefix" },
    { input: "age1yubikey1abc", kind: "plugin", reason: "two '1's" },
    { input: "ssh-rsa AAAA", kind: "ssh", reason: "ssh prefix" },
    { input: "pgp:ABC", kind: "unknown", reason: "no age prefix" },
  ];
  it.each(kinds)("classifies $input as $kind ($reason)", ({ input, kind }) => {
    expect(ageRecipientKind(input)).toBe(kind);
  });

  it("parses a comma-separated list and drops empty items", () => {
    expect(parseAgeRecipients(`${X25519}, ,${X25519_2},`).map((r) => r.recipient)).toEqual([X25519, X25519_2]);
  });
});
