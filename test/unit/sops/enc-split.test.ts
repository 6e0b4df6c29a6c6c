/**
 * The ENC[...] splitter against sops' own regex run on RE2 (re2js, Go's
 * semantics): property-based, over strings built from the separators, so
 * that every greedy choice is exercised. The regex on a backtracking engine
 * took minutes on a 20 KB value; the splitter is linear.
 */
import fc from "fast-check";
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import { splitEncValue } from "../../../src/decrypt/sops/codec/value.js";

const GO = RE2JS.compile("^ENC\\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\\]");

function goSplit(s: string): { data: string; iv: string; tag: string; type: string } | undefined {
  const m = GO.matcher(s);
  if (!m.find()) return undefined;
  return { data: m.group(1) ?? "", iv: m.group(2) ?? "", tag: m.group(3) ?? "", type: m.group(4) ?? "" };
}

const piece = fc.constantFrom(",iv:", ",tag:", ",type:", "]", "A", "=", "\n", ",", "x");

describe("splitEncValue matches sops' ENC regex (Go RE2 semantics)", () => {
  it("agrees with the regex on strings made of its separators", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
        const s = `ENC[AES256_GCM,data:${parts.join("")}`;
        expect(splitEncValue(s)).toEqual(goSplit(s));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it("splits a real value", () => {
    expect(splitEncValue("ENC[AES256_GCM,data:QUJD,iv:SVY=,tag:VEFH,type:str]")).toEqual({ data: "QUJD", iv: "SVY=", tag: "VEFH", type: "str" });
  });

  it("answers at once on 200,000 repeated separators (the backtracking regex ran for minutes on 2,000)", () => {
    expect(splitEncValue(`ENC[AES256_GCM,data:${",iv:,tag:".repeat(200_000)}`)).toBeUndefined();
    expect(splitEncValue(`ENC[AES256_GCM,data:${",iv:x,tag:x,type:x]".repeat(200_000)}`)?.type).toBe("x");
  });
});
