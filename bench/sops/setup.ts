/** Fixtures for the SOPS benchmarks, made with the real peers. */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface AgeKey {
  readonly file: string;
  readonly recipient: string;
}

export function ageKey(dir: string, ageKeygen: string): AgeKey {
  const file = join(dir, "keys.txt");
  execFileSync(ageKeygen, ["-o", file], { stdio: "ignore" });
  const recipient = execFileSync(ageKeygen, ["-y", file], { encoding: "utf8" }).trim();
  return { file, recipient };
}

/** A small, realistic Kubernetes Secret manifest. */
export function secretManifest(i: number): string {
  return [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    `    name: app-${i}`,
    "    namespace: bench",
    "type: Opaque",
    "stringData:",
    `    username: user-${i}`,
    `    password: pw-${i}-${(i * 7919).toString(36)}`,
    `    url: postgres://db-${i}.bench.svc:5432/app`,
    "",
  ].join("\n");
}

/** A YAML document with `groups × perGroup` string values (≈ 100,000 values for the large-file benchmark). */
export function largeYaml(groups: number, perGroup: number): string {
  const out: string[] = [];
  for (let g = 0; g < groups; g++) {
    out.push(`group_${g}:`);
    for (let k = 0; k < perGroup; k++) out.push(`    key_${k}: value-${g}-${k}-abcdef`);
  }
  return out.join("\n") + "\n";
}

/** Run `sops encrypt` over many files with limited concurrency. */
export async function sopsEncryptAll(sops: string, files: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv, concurrency = 2): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      await new Promise<void>((resolve, reject) => {
        const child = spawn(sops, ["encrypt", ...args, "--in-place", file], { env, stdio: ["ignore", "ignore", "pipe"] });
        let err = "";
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("close", (code) => {
          if (code === 0) resolve();
          else reject(new Error(`sops encrypt ${file}: ${err}`));
        });
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export function writeFiles(dir: string, count: number, make: (i: number) => string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const f = join(dir, `secret-${String(i).padStart(4, "0")}.yaml`);
    writeFileSync(f, make(i));
    files.push(f);
  }
  return files;
}

export function readAll(files: readonly string[]): Buffer[] {
  return files.map((f) => readFileSync(f));
}
