import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildAgeProvider } from "../../../src/providers/index.js";
import { ageRecipientRef } from "../../../src/providers/index.js";
import type { AgeKeyRef } from "../../../src/providers/index.js";
import { describePeers, peerBin } from "../../support/peers.js";
import { firstEntry, openSopsValue, scratch, sopsEncrypt } from "./support.js";

/** Make an identity with the real age-keygen; returns the key file path and its recipient. */
function keygen(dir: string, name: string, pq = false): { file: string; ref: AgeKeyRef } {
  const file = join(dir, name);
  execFileSync(peerBin("age-keygen"), [...(pq ? ["-pq"] : []), "-o", file], { stdio: "pipe" });
  const recipient = /# public key: (\S+)/.exec(readFileSync(file, "utf8"))?.[1];
  if (recipient === undefined) throw new Error("age-keygen wrote no public key line");
  return { file, ref: ageRecipientRef(recipient) };
}

function ageDecrypt(identityFile: string, armored: string): Buffer {
  return execFileSync(peerBin("age"), ["-d", "-i", identityFile], { input: armored });
}

function ageEncrypt(recipient: string, plaintext: Uint8Array): string {
  return execFileSync(peerBin("age"), ["-a", "-r", recipient], { input: plaintext, encoding: "utf8" });
}

describePeers("age provider against the real age and sops", () => {
  let s: ReturnType<typeof scratch>;
  let x25519: ReturnType<typeof keygen>;
  let hybrid: ReturnType<typeof keygen>;
  beforeAll(() => {
    s = scratch();
    x25519 = keygen(s.dir, "x25519.txt");
    hybrid = keygen(s.dir, "pq.txt", true);
  });
  afterAll(() => {
    s.cleanup();
  });

  const provider = (file: string) => buildAgeProvider({ SOPS_AGE_KEY_FILE: file, HOME: "/nonexistent" });

  it("wraps a data key that `age -d` decrypts", async () => {
    const dataKey = new Uint8Array(32).map((_, i) => i + 100);
    const enc = await provider(x25519.file).wrap(x25519.ref, dataKey);
    expect(new Uint8Array(ageDecrypt(x25519.file, enc))).toEqual(dataKey);
  });

  it("unwraps a data key that `age -a -r` encrypted", async () => {
    const dataKey = new Uint8Array(33).fill(0xab);
    const plain = await provider(x25519.file).unwrap(x25519.ref, ageEncrypt(x25519.ref.recipient, dataKey));
    expect(plain).toEqual(dataKey);
  });

  it("interoperates with age for post-quantum hybrid (age1pq1…) keys in both directions", async () => {
    const dataKey = new Uint8Array(32).fill(0x5a);
    const p = provider(hybrid.file);
    expect(new Uint8Array(ageDecrypt(hybrid.file, await p.wrap(hybrid.ref, dataKey)))).toEqual(dataKey);
    expect(await p.unwrap(hybrid.ref, ageEncrypt(hybrid.ref.recipient, dataKey))).toEqual(dataKey);
  });

  it("unwraps the data key the real sops wrapped, finding the identity through SOPS_AGE_KEY", async () => {
    const written = sopsEncrypt(["--age", x25519.ref.recipient], {});
    const entry = firstEntry(written.meta, "age");
    expect(entry["recipient"]).toBe(x25519.ref.recipient);
    const inline = buildAgeProvider({ SOPS_AGE_KEY: readFileSync(x25519.file, "utf8"), HOME: "/nonexistent" });
    const dataKey = await inline.unwrap(x25519.ref, String(entry["enc"]));
    if (dataKey === null) throw new Error("the age provider found no identity for sops' recipient");
    expect(openSopsValue(dataKey, written.password)).toBe(written.plaintext);
  });

  it("wraps in the exact armor shape sops stores (identical framing to `age -a`)", async () => {
    const ours = await provider(x25519.file).wrap(x25519.ref, new Uint8Array(32));
    const theirs = ageEncrypt(x25519.ref.recipient, new Uint8Array(32));
    const shape = (t: string) => t.split("\n").map((l) => (l.startsWith("-----") ? l : l.length));
    expect(shape(ours)).toEqual(shape(theirs));
  });

  it("reads a key file in the default location, as sops does", async () => {
    const cfg = scratch();
    try {
      execFileSync("mkdir", ["-p", join(cfg.dir, "sops", "age")]);
      writeFileSync(join(cfg.dir, "sops", "age", "keys.txt"), readFileSync(x25519.file));
      const p = buildAgeProvider({ XDG_CONFIG_HOME: cfg.dir });
      const plain = await p.unwrap(x25519.ref, ageEncrypt(x25519.ref.recipient, new Uint8Array(32).fill(1)));
      expect(plain).toEqual(new Uint8Array(32).fill(1));
    } finally {
      cfg.cleanup();
    }
  });
});
