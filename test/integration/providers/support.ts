/** Helpers shared by the provider integration tests: running real peers and reading what they wrote. */
import { execFileSync } from "node:child_process";
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

/**
 * Encrypt a small YAML file with the real `sops` and return its `sops`
 * metadata block. `env` is the whole environment sops sees (HOME is a
 * scratch directory so no user config leaks in).
 */
export function sopsEncrypt(args: readonly string[], env: Record<string, string>): Record<string, unknown> {
  const s = scratch();
  try {
    const file = join(s.dir, "plain.yaml");
    writeFileSync(file, "password: hunter2-canary\n");
    const out = execFileSync(peerBin("sops"), ["encrypt", ...args, file], {
      env: { PATH: process.env["PATH"] ?? "", HOME: s.dir, SOPS_DISABLE_VERSION_CHECK: "1", ...env },
      encoding: "utf8",
    });
    const doc = parse(out) as { sops: Record<string, unknown> };
    return doc.sops;
  } finally {
    s.cleanup();
  }
}

/** The first entry of a metadata key list (`kms`, `hc_vault`, `age`). */
export function firstEntry(meta: Record<string, unknown>, list: string): Record<string, unknown> {
  const entries = meta[list] as Record<string, unknown>[] | undefined;
  const first = entries?.[0];
  if (first === undefined) throw new Error(`sops wrote no '${list}' entry`);
  return first;
}
