/** Helpers shared by the provider integration tests: running real peers and reading what they wrote. */
import { execFileSync } from "node:child_process";
import { createDecipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { peerBin } from "../../support/peers.js";

/** A temporary directory and a function removing it. */
export function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "sigil-prov-it-"));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the real sops wrote for `password: <plaintext>`. */
export interface SopsWritten {
  /** The `sops` metadata block. */
  readonly meta: Record<string, unknown>;
  /** The encrypted value of `password` (`ENC[AES256_GCM,…]`). */
  readonly password: string;
  /** The plaintext it holds (random per call). */
  readonly plaintext: string;
}

/**
 * Encrypt a small YAML file (`password: <random>`) with the real `sops`.
 * `env` is the whole environment sops sees (HOME is a scratch directory so
 * no user config leaks in).
 */
export function sopsEncrypt(args: readonly string[], env: Record<string, string>): SopsWritten {
  const s = scratch();
  try {
    const file = join(s.dir, "plain.yaml");
    const plaintext = `hunter2-${randomBytes(8).toString("hex")}`;
    writeFileSync(file, `password: ${plaintext}\n`);
    const out = execFileSync(peerBin("sops"), ["encrypt", ...args, file], {
      env: { PATH: process.env["PATH"] ?? "", HOME: s.dir, SOPS_DISABLE_VERSION_CHECK: "1", ...env },
      encoding: "utf8",
    });
    const doc = parse(out) as { sops: Record<string, unknown>; password: string };
    return { meta: doc.sops, password: doc.password, plaintext };
  } finally {
    s.cleanup();
  }
}

/**
 * Open a top-level sops value with a data key, by AES-256-GCM with the key's
 * path as additional data (`password:`), independently of Sigil's own
 * cipher: a data key of the right length that is not the file's fails here.
 */
export function openSopsValue(dataKey: Uint8Array, enc: string, key = "password"): string {
  const m = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]+),tag:([^,]+),type:str\]$/.exec(enc);
  if (m === null) throw new Error(`not a sops string value: ${enc.slice(0, 40)}`);
  const [data, iv, tag] = [m[1], m[2], m[3]].map((b) => Buffer.from(b ?? "", "base64"));
  const decipher = createDecipheriv("aes-256-gcm", dataKey, iv ?? Buffer.alloc(0), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(`${key}:`));
  decipher.setAuthTag(tag ?? Buffer.alloc(0));
  return Buffer.concat([decipher.update(data ?? Buffer.alloc(0)), decipher.final()]).toString("utf8");
}

/** The first entry of a metadata key list (`kms`, `hc_vault`, `age`). */
export function firstEntry(meta: Record<string, unknown>, list: string): Record<string, unknown> {
  const entries = meta[list] as Record<string, unknown>[] | undefined;
  const first = entries?.[0];
  if (first === undefined) throw new Error(`sops wrote no '${list}' entry`);
  return first;
}
