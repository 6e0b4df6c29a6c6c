import { readFileSync } from "node:fs";
import { Decrypter, armor } from "age-encryption";
import { describe, expect, it } from "vitest";
import { REDACTED, redact } from "../../../src/core/index.js";
import { AgeProvider } from "../../../src/providers/index.js";
import type { AgeKeyRef } from "../../../src/providers/index.js";
import { canary, canaryBytes, expectNoLeak } from "../../support/canary.js";
import { rejection } from "../../support/errors.js";
import { errorSurface, loggedLines } from "./helpers.js";

const FIXTURES = new URL("../../fixtures/keys/", import.meta.url);
const KEY1 = readFileSync(new URL("age-1.txt", FIXTURES), "utf8");
const KEY2 = readFileSync(new URL("age-2.txt", FIXTURES), "utf8");
const ID1 = KEY1.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!;
const R1: AgeKeyRef = { type: "age", recipient: "age1uhltqrrk67gga0a9l6pj7c9h9fyqa30x5srgtm4r4s45jn4hv49qqs74yv" };
const R2: AgeKeyRef = { type: "age", recipient: "age1rahkwnudxqfuun8jfyarm94hyzm262hff894fpwutrz4c34qhfyql2jrxw" };
const WRAPPED_BY_AGE = readFileSync(new URL("age-1.wrapped-by-age.txt", FIXTURES), "utf8");

function provider(text = KEY1): AgeProvider {
  return new AgeProvider({ sources: [{ location: "SOPS_AGE_KEY", text }] });
}

describe("age provider", () => {
  it("wraps as strict armor: BEGIN line, padded base64 in 64-column lines, END line and a final newline", async () => {
    const enc = await provider().wrap(R1, new Uint8Array(32).fill(1));
    const lines = enc.split("\n");
    expect(lines[0]).toBe("-----BEGIN AGE ENCRYPTED FILE-----");
    expect(enc.endsWith("-----END AGE ENCRYPTED FILE-----\n")).toBe(true);
    const body = lines.slice(1, -2);
    expect(body.slice(0, -1).every((l) => l.length === 64)).toBe(true);
    expect(body.at(-1)!.length % 4).toBe(0);
    expect(Buffer.from(armor.decode(enc)).subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
  });

  it("wraps to exactly one recipient: one X25519 stanza that the identity opens", async () => {
    const enc = await provider().wrap(R2, new Uint8Array(32).fill(2));
    const header = Buffer.from(armor.decode(enc)).toString("latin1");
    expect(header.match(/\n-> /g)).toHaveLength(1);
    const d = new Decrypter();
    d.addIdentity(KEY2.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!);
    expect(await d.decrypt(armor.decode(enc))).toEqual(new Uint8Array(32).fill(2));
  });

  it("unwraps a key wrapped by the real age binary (known-answer vector)", async () => {
    const plain = await provider().unwrap(R1, WRAPPED_BY_AGE);
    expect(Buffer.from(plain!).toString()).toBe("known-answer data key for age-1!");
  });

  it("round-trips a 33-byte Shamir share", async () => {
    const p = provider();
    const share = new Uint8Array(33).map((_, i) => i);
    expect(await p.unwrap(R1, await p.wrap(R1, share))).toEqual(share);
  });

  it("returns null (not mine) when no identity belongs to the recipient, without parsing enc", async () => {
    expect(await provider(KEY2).unwrap(R1, WRAPPED_BY_AGE)).toBeNull();
    expect(await provider(KEY2).unwrap(R1, "garbage")).toBeNull();
    expect(await new AgeProvider({ sources: [] }).unwrap(R1, WRAPPED_BY_AGE)).toBeNull();
  });

  const broken = [
    { enc: "garbage", reason: "text that is not armor" },
    { enc: WRAPPED_BY_AGE.replace("-----END AGE ENCRYPTED FILE-----", "-----END AGE FILE-----"), reason: "a wrong footer" },
    { enc: WRAPPED_BY_AGE.replace("YWdlLWVuY3J5cHRpb24u", "YWdlLWVuY3J5cHRpb24v"), reason: "a header changed by one character" },
    { enc: WRAPPED_BY_AGE.replace("k8Tn", "k8To"), reason: "a payload changed by one character" },
  ];
  it.each(broken)("rejects $reason for its own recipient with decrypt.invalid_ciphertext", async ({ enc }) => {
    const err = await rejection(provider().unwrap(R1, enc));
    expect(err.code).toBe("decrypt.invalid_ciphertext");
    expect(err.message).toContain(R1.recipient);
  });

  it("rejects a wrapped key made for another recipient but filed under ours", async () => {
    const p = new AgeProvider({ sources: [{ location: "k", text: KEY1 + KEY2 }] });
    const forR2 = await p.wrap(R2, new Uint8Array(32));
    expect((await rejection(p.unwrap(R1, forR2))).code).toBe("decrypt.invalid_ciphertext");
  });

  it("rejects plugin and ssh recipients on wrap with provider.invalid_key", async () => {
    for (const recipient of ["age1yubikey1qqqq", "ssh-ed25519 AAAA"]) {
      expect((await rejection(provider().wrap({ type: "age", recipient }, new Uint8Array(1)))).code).toBe("provider.invalid_key");
    }
  });

  it("loads identities once, on the first unwrap, and never on wrap", async () => {
    let reads = 0;
    let prompts = 0;
    const p = new AgeProvider({
      sources: [{ location: "/keys.txt", path: "/keys.txt" }],
      readFile: () => {
        reads++;
        return Promise.resolve(Buffer.from(KEY1));
      },
      passphrase: () => {
        prompts++;
        return Promise.resolve("x");
      },
    });
    const enc = await p.wrap(R1, new Uint8Array(32));
    expect(reads).toBe(0);
    await p.unwrap(R1, enc);
    await p.unwrap(R1, enc);
    expect(reads).toBe(1);
    expect(prompts).toBe(0);
  });

  it("reports where identities were looked for", async () => {
    const p = new AgeProvider({ sources: [{ location: "SOPS_AGE_KEY" }, { location: "SOPS_AGE_KEY_FILE=/x", path: "/nonexistent/x", required: true }] });
    expect(await p.searchReport()).toBe("'SOPS_AGE_KEY' (not set), 'SOPS_AGE_KEY_FILE=/x' (not found)");
  });

  it("registers the unwrapped key with the redactor", async () => {
    const plain = await provider().unwrap(R1, WRAPPED_BY_AGE);
    expect(redact("k=known-answer data key for age-1!")).toBe(`k=${REDACTED}`);
    expect(plain).not.toBeNull();
  });

  it("canary: a known plaintext or identity never appears in thrown errors or log lines", async () => {
    const secret = canary("age");
    const plain = canaryBytes(secret);
    const p = provider();
    const enc = await p.wrap(R1, plain);
    const tampered = enc.replace(/\n([A-Za-z0-9+/]{4})/, (_m, g: string) => `\n${g === "AAAA" ? "BBBB" : "AAAA"}`);
    const errors = [
      await rejection(p.unwrap(R1, tampered)),
      await rejection(p.unwrap(R1, enc.slice(0, -40) + "-----END AGE ENCRYPTED FILE-----\n")),
      await rejection(p.wrap({ type: "age", recipient: "age1yubikey1qqqq" }, plain)),
    ];
    for (const err of errors) {
      expectNoLeak({ error: errorSurface(err), log: loggedLines(err).join("\n") }, secret);
      expect(errorSurface(err) + loggedLines(err).join("\n")).not.toContain(ID1);
    }
  });
});
