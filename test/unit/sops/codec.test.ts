import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import { formatFloatF, formatFloatG, formatFloatJson, parseGoBool, parseGoFloat, parseGoInt } from "../../../src/decrypt/sops/codec/go-format.js";
import { normalizeLastModified, parseRfc3339Nano, parseYamlTimestamp } from "../../../src/decrypt/sops/codec/go-time.js";
import { MacBuilder } from "../../../src/decrypt/sops/codec/mac.js";
import { gfMul, shamirCombine, shamirSplit } from "../../../src/decrypt/sops/codec/shamir.js";
import { ValueCipher, leafFromPlaintext, parseEncValue } from "../../../src/decrypt/sops/codec/value.js";

interface Vectors {
  dataKeyHex: string;
  values: { aad: string; type: string; plaintext: string; ivByte: number; enc: string }[];
  macInput: string;
  mac: string;
  lastmodified: string;
  macIvByte: number;
  macEnc: string;
  shamir: { secretHex: string; threshold: number; shares: Record<string, string> };
}

const V = JSON.parse(readFileSync(new URL("../../vectors/sops/known-answers.json", import.meta.url), "utf8")) as Vectors;
const KEY = Buffer.from(V.dataKeyHex, "hex");

describe("ENC value codec (known answers, docs/formats.md#a15-known-answers)", () => {
  const cipher = new ValueCipher(KEY);

  it.each(V.values)("reproduces the ENC value for $aad $type exactly with a fixed IV", (v) => {
    const iv = Buffer.alloc(32, v.ivByte);
    expect(cipher.encryptBytes(Buffer.from(v.plaintext, "utf8"), v.aad, v.type, iv)).toBe(v.enc);
  });

  it.each(V.values)("decrypts the ENC value for $aad back to its plaintext", (v) => {
    const out = cipher.decryptBytes(v.enc, v.aad);
    expect(out.bytes.toString("utf8")).toBe(v.plaintext);
    expect(out.type).toBe(v.type);
  });

  it("reproduces the MAC and its ENC value with lastmodified as the AAD", () => {
    const mac = new MacBuilder(false);
    mac.add(Buffer.from(V.macInput, "utf8"), true);
    const text = mac.digest();
    expect(text).toBe(V.mac);
    expect(cipher.encryptBytes(Buffer.from(text), V.lastmodified, "str", Buffer.alloc(32, V.macIvByte))).toBe(V.macEnc);
  });

  it("rejects a value whose data was changed by one character", () => {
    const v = V.values[0]!;
    const tampered = v.enc.replace("data:2MDE", "data:2MDF");
    expect(() => cipher.decryptBytes(tampered, v.aad)).toThrow(expect.objectContaining({ code: "decrypt.mac_mismatch" }));
  });

  it("rejects a value moved to another path (AAD differs)", () => {
    const v = V.values[0]!;
    expect(() => cipher.decryptBytes(v.enc, "db:pass:")).toThrow(expect.objectContaining({ code: "decrypt.mac_mismatch" }));
  });

  it.each([
    { reason: "truncated before the closing bracket", enc: "ENC[AES256_GCM,data:2MDEjrc=,iv:AQEB" },
    { reason: "garbled base64 in data", enc: "ENC[AES256_GCM,data:2M*Ejrc=,iv:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=,tag:Lo7SnUv++421n5VOqViemQ==,type:str]" },
    { reason: "unpadded iv", enc: "ENC[AES256_GCM,data:2MDEjrc=,iv:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE,tag:Lo7SnUv++421n5VOqViemQ==,type:str]" },
    { reason: "short tag", enc: "ENC[AES256_GCM,data:2MDEjrc=,iv:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=,tag:Lo7SnUv++421n5VO,type:str]" },
    { reason: "not an ENC value at all", enc: "admin" },
  ])("rejects a malformed value ($reason) with decrypt.invalid_ciphertext", ({ enc }) => {
    let err: unknown;
    try {
      cipher.decryptBytes(enc, "db:user:");
    } catch (e) {
      err = e;
    }
    expect(isSigilError(err, "decrypt.invalid_ciphertext")).toBe(true);
  });

  it("accepts a non-32-byte IV when reading, as sops does", () => {
    const enc = cipher.encryptBytes(Buffer.from("x"), "a:", "str", Buffer.alloc(12, 9));
    expect(parseEncValue(enc)?.iv.length).toBe(12);
    expect(cipher.decrypt(enc, "a:")).toBe("x");
  });

  it("keeps a non-UTF-8 str plaintext as raw bytes", () => {
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    expect(leafFromPlaintext(raw, "str")).toEqual(new Uint8Array(raw));
  });
});

describe("Go number, bool and time text forms", () => {
  it.each([
    { reason: "half", v: 0.5, f: "0.5", g: "0.5", json: "0.5" },
    { reason: "integral float", v: 1, f: "1", g: "1", json: "1" },
    { reason: "1e21 has no exponent in 'f'", v: 1e21, f: "1000000000000000000000", g: "1e+21", json: "1e+21" },
    { reason: "1e-7 has no exponent in 'f'", v: 1e-7, f: "0.0000001", g: "1e-07", json: "1e-7" },
    { reason: "'g' switches to exponent at 1e6", v: 1234567.8, f: "1234567.8", g: "1.2345678e+06", json: "1234567.8" },
    { reason: "'g' keeps 100000 plain", v: 100000, f: "100000", g: "100000", json: "100000" },
    { reason: "'g' switches below 1e-4", v: 0.00001, f: "0.00001", g: "1e-05", json: "0.00001" },
    { reason: "negative", v: -1234.56789, f: "-1234.56789", g: "-1234.56789", json: "-1234.56789" },
    { reason: "large integral", v: 1.234568e9, f: "1234568000", g: "1.234568e+09", json: "1234568000" },
  ])("formats $v like Go ($reason)", ({ v, f, g, json }) => {
    expect(formatFloatF(v)).toBe(f);
    expect(formatFloatG(v)).toBe(g);
    expect(formatFloatJson(v)).toBe(json);
  });

  it("formats non-finite floats as Go does", () => {
    expect(formatFloatF(Infinity)).toBe("+Inf");
    expect(formatFloatF(-Infinity)).toBe("-Inf");
    expect(formatFloatF(NaN)).toBe("NaN");
    expect(parseGoFloat("+Inf")).toBe(Infinity);
  });

  it("parses ints, floats and bools as Go's strconv does", () => {
    expect(parseGoInt("-7")).toBe(-7n);
    expect(parseGoInt("9223372036854775808")).toBeUndefined();
    expect(parseGoInt("1.0")).toBeUndefined();
    expect(parseGoFloat("1e21")).toBe(1e21);
    expect(parseGoFloat("abc")).toBeUndefined();
    expect(parseGoBool("True")).toBe(true);
    expect(parseGoBool("F")).toBe(false);
    expect(parseGoBool("yes")).toBeUndefined();
  });

  it.each([
    { reason: "date only", input: "2024-01-01", out: "2024-01-01T00:00:00Z" },
    { reason: "offset and fraction", input: "2024-01-01T10:00:00.500+02:00", out: "2024-01-01T10:00:00.5+02:00" },
    { reason: "short fields, lower-case t", input: "2024-1-2t3:4:5Z", out: "2024-01-02T03:04:05Z" },
    { reason: "space separated, no zone", input: "2001-12-14 21:59:43.10", out: "2001-12-14T21:59:43.1Z" },
    { reason: "+00:00 prints as Z", input: "2024-01-01T00:00:00+00:00", out: "2024-01-01T00:00:00Z" },
  ])("resolves the YAML timestamp $input ($reason)", ({ input, out }) => {
    expect(parseYamlTimestamp(input)?.text).toBe(out);
  });

  it("does not treat invalid dates as timestamps", () => {
    expect(parseYamlTimestamp("2024-02-30")).toBeUndefined();
    expect(parseYamlTimestamp("12024-01-01")).toBeUndefined();
    expect(parseRfc3339Nano("2024-01-01")).toBeUndefined();
  });

  it("normalises lastmodified to seconds precision for the MAC's AAD", () => {
    expect(normalizeLastModified("2024-01-01T00:00:00.123Z")).toBe("2024-01-01T00:00:00Z");
    expect(normalizeLastModified("2024-01-01T01:00:00+01:00")).toBe("2024-01-01T01:00:00+01:00");
    expect(normalizeLastModified("yesterday")).toBeUndefined();
  });
});

describe("Shamir over GF(2^8) 0x11B (docs/formats.md#a9-key-groups-and-shamir)", () => {
  it("multiplies as FIPS-197 does", () => {
    expect(gfMul(0x57, 0x83)).toBe(0xc1);
  });

  it("combines any two of the known shares to the secret", () => {
    const s = V.shamir.shares;
    const share = (x: string): Buffer => Buffer.from(s[x]!, "hex");
    for (const pair of [["1", "2"], ["1", "3"], ["2", "3"], ["3", "1"]] as const) {
      expect(Buffer.from(shamirCombine([share(pair[0]), share(pair[1])])).toString("hex")).toBe(V.shamir.secretHex);
    }
    expect(Buffer.from(shamirCombine([share("1"), share("2"), share("3")])).toString("hex")).toBe(V.shamir.secretHex);
  });

  it("reproduces the known shares from the known polynomial coefficients", () => {
    const coeffs = [Buffer.from([0x05]), Buffer.from([0x80])];
    let n = 0;
    const shares = shamirSplit(Buffer.from(V.shamir.secretHex, "hex"), 3, 2, () => coeffs[n++]!);
    expect(shares.map((s) => Buffer.from(s).toString("hex"))).toEqual([V.shamir.shares["1"], V.shamir.shares["2"], V.shamir.shares["3"]]);
  });

  it("round-trips a random 32-byte key through 2-of-3 shares", () => {
    const key = Buffer.from(KEY);
    const shares = shamirSplit(key, 3, 2);
    expect(shares.every((s) => s.length === 33)).toBe(true);
    expect(Buffer.from(shamirCombine([shares[2]!, shares[0]!]))).toEqual(key);
  });

  it("rejects a threshold of one and repeated shares", () => {
    expect(() => shamirSplit(KEY, 3, 1)).toThrow(expect.objectContaining({ code: "input.invalid" }));
    const shares = shamirSplit(KEY, 2, 2);
    expect(() => shamirCombine([shares[0]!, shares[0]!])).toThrow(expect.objectContaining({ code: "decrypt.invalid_metadata" }));
  });
});
