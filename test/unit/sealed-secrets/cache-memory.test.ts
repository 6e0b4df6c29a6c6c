import { describe, expect, it } from "vitest";
import { UnsealCache } from "../../../src/decrypt/sealed-secrets/index.js";

// The cache keeps values as latin1 strings (not slices of Node's Buffer pool, which pinned
// about 40 MB of 8 KB slabs for 10,000 values: measured by bench/sealed-secrets/rss.ts).
describe("UnsealCache values", () => {
  it("gives back the exact bytes of a binary value, as a copy the caller may wipe", () => {
    const cache = new UnsealCache();
    const bytes = Buffer.from([0, 255, 128, 10, 13, 0xc3, 0x28]);
    cache.set(Buffer.from("l"), Buffer.from("b"), "fp", bytes);
    const first = cache.get(Buffer.from("l"), Buffer.from("b"), { has: () => true })?.plaintext;
    expect(first?.equals(bytes)).toBe(true);
    first?.fill(0);
    expect(cache.get(Buffer.from("l"), Buffer.from("b"), { has: () => true })?.plaintext.equals(bytes)).toBe(true);
  });
});
