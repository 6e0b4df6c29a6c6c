/**
 * Unseal throughput per core with RSA-4096 keys: Sigil's unsealer in this
 * process beside the real `kubeseal --recovery-unseal` on the same
 * SealedSecret, both measured in CPU time (user + system), so the figure is
 * values per CPU-second whatever else the machine is doing. kubeseal's
 * process start-up is removed by also timing a one-value SealedSecret and
 * subtracting.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyRing, generateSealingKeyPair, sealSecret, sealingKeyFromPrivateKey, unsealSealedSecret } from "../../src/decrypt/sealed-secrets/index.js";
import type { GeneratedKeyPair, SealedSecretObject } from "../../src/decrypt/sealed-secrets/index.js";

export interface ThroughputResult {
  readonly values: number;
  readonly sigilValuesPerCpuSecond: number;
  readonly kubesealValuesPerCpuSecond: number;
  readonly sigilMsPerValue: number;
  readonly kubesealMsPerValue: number;
}

function sealedWith(pair: GeneratedKeyPair, values: number): SealedSecretObject {
  const stringData: Record<string, string> = {};
  for (let i = 0; i < values; i++) stringData[`key-${i}`] = `value-${i}-${"x".repeat(24)}`;
  return sealSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "bench", namespace: "bench" }, stringData }, pair.certificate.publicKey);
}

/** CPU seconds (user + sys) of one kubeseal run, read from bash's `time`. */
function kubesealCpu(kubeseal: string, keyFile: string, ssFile: string): Promise<number> {
  const script = `TIMEFORMAT='%3U %3S'; { time "$0" --recovery-unseal --recovery-private-key "$1" < "$2" > /dev/null ; } 2>&1`;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script, kubeseal, keyFile, ssFile]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => {
      const m = /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(out);
      if (code !== 0 || m === null) reject(new Error(`kubeseal failed: ${out}`));
      else resolve(Number(m[1]) + Number(m[2]));
    });
  });
}

function sigilCpu(ring: KeyRing, ss: SealedSecretObject): number {
  const before = process.cpuUsage();
  unsealSealedSecret(ss, ring);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Run the comparison with `values` values per SealedSecret, `rounds` times each (median). */
export async function measureThroughput(kubeseal: string, values: number, rounds: number): Promise<ThroughputResult> {
  const pair = await generateSealingKeyPair({ keySize: 4096 });
  const ring = new KeyRing([sealingKeyFromPrivateKey(pair.privateKey, "bench", pair.certificate)]);
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-"));
  try {
    const keyFile = join(dir, "key.pem");
    writeFileSync(keyFile, pair.privateKeyPem, { mode: 0o600 });
    const big = sealedWith(pair, values);
    const one = sealedWith(pair, 1);
    writeFileSync(join(dir, "big.json"), JSON.stringify(big));
    writeFileSync(join(dir, "one.json"), JSON.stringify(one));
    const sigil: number[] = [];
    const ks: number[] = [];
    for (let r = 0; r < rounds; r++) {
      sigil.push(sigilCpu(ring, big));
      const full = await kubesealCpu(kubeseal, keyFile, join(dir, "big.json"));
      const base = await kubesealCpu(kubeseal, keyFile, join(dir, "one.json"));
      ks.push(Math.max(full - base, 1e-6));
    }
    const sigilPerValue = median(sigil) / values;
    const ksPerValue = median(ks) / (values - 1);
    return {
      values,
      sigilValuesPerCpuSecond: 1 / sigilPerValue,
      kubesealValuesPerCpuSecond: 1 / ksPerValue,
      sigilMsPerValue: sigilPerValue * 1000,
      kubesealMsPerValue: ksPerValue * 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
