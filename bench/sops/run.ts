/**
 * SOPS benchmarks, side by side with the real sops 3.13.2 in one run:
 *   1. decrypt 1,000 small age-encrypted Secret manifests in one process vs `sops -d` once per file;
 *   2. one large YAML file (~100,000 encrypted values): `sigil decrypt` / `sigil encrypt` vs sops, wall time and peak RSS;
 *   3. decrypting the same KMS-encrypted file twice in one process: KMS Decrypt calls, counted at the client.
 * Run: npm run bench -- sops      (writes the "sops" section of docs/benchmarks.md)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { buildProviderRegistry } from "../../src/providers/index.js";
import { DataKeyCache, decryptFile } from "../../src/decrypt/index.js";
import type { KmsClientFactory } from "../../src/providers/awskms/config.js";
import type { EnvState } from "../../test/env/state.js";
import { fmt, median, timeProcess, writeReportSection } from "../lib/measure.js";
import { ageKey, largeYaml, readAll, secretManifest, sopsEncryptAll, writeFiles } from "./setup.js";

const REPEATS = 3;

export interface Ctx {
  readonly dir: string;
  readonly env: EnvState;
  readonly sops: string;
  readonly sigil: readonly string[];
  readonly key: { file: string; recipient: string };
  readonly sopsEnv: NodeJS.ProcessEnv;
}

export async function manySmallFiles(ctx: Ctx, count: number): Promise<string[]> {
  const files = writeFiles(join(ctx.dir, "many"), count, secretManifest);
  await sopsEncryptAll(ctx.sops, files, ["--age", ctx.key.recipient, "--encrypted-regex", "^(data|stringData)$"], ctx.sopsEnv);
  // sops: one process per file, as CI scripts and kustomize plugins run it.
  const sopsRuns: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t = process.hrtime.bigint();
    for (const f of files) {
      const res = spawnSync(ctx.sops, ["-d", f], { env: ctx.sopsEnv });
      if (res.status !== 0) throw new Error(`sops -d ${f}: ${res.stderr.toString()}`);
    }
    sopsRuns.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  // sigil: the library in one process (what the reconciler does), a fresh cache each repeat.
  const inputs = readAll(files);
  const sigilRuns: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const registry = buildProviderRegistry({ SOPS_AGE_KEY_FILE: ctx.key.file });
    const cache = new DataKeyCache();
    const t = process.hrtime.bigint();
    for (let i = 0; i < inputs.length; i++) await decryptFile(inputs[i]!, { registry, cache, path: files[i]! });
    sigilRuns.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  const s = median(sopsRuns);
  const g = median(sigilRuns);
  return [
    "### 1. Decrypt 1,000 small age-encrypted Secret manifests",
    "",
    "| | total (median of 3) | files/s | ratio |",
    "|---|---|---|---|",
    `| \`sops -d\`, one process per file | ${fmt(s)} s | ${fmt(count / s, 0)} | 1.0 |`,
    `| Sigil library, one process | ${fmt(g, 3)} s | ${fmt(count / g, 0)} | **${fmt(s / g, 1)}× the throughput** (target ≥ 20×) |`,
    "",
  ];
}

export function largeFile(ctx: Ctx): string[] {
  const plain = join(ctx.dir, "large.yaml");
  writeFileSync(plain, largeYaml(1000, 100));
  const plainMiB = readFileSync(plain).length / (1 << 20);
  const sopsEnc = join(ctx.dir, "large.sops.yaml");
  const sigilEnc = join(ctx.dir, "large.sigil.yaml");
  const encArgs = ["encrypt", "--age", ctx.key.recipient];
  const runs = { sopsEnc: [] as ReturnType<typeof timeProcess>[], sigilEnc: [] as ReturnType<typeof timeProcess>[], sopsDec: [] as ReturnType<typeof timeProcess>[], sigilDec: [] as ReturnType<typeof timeProcess>[] };
  for (let r = 0; r < REPEATS; r++) {
    runs.sopsEnc.push(timeProcess(ctx.sops, [...encArgs, "--output", sopsEnc, plain], ctx.sopsEnv));
    runs.sigilEnc.push(timeProcess(ctx.sigil[0]!, [...ctx.sigil.slice(1), ...encArgs, "--output", sigilEnc, plain], ctx.sopsEnv));
    runs.sopsDec.push(timeProcess(ctx.sops, ["-d", sopsEnc], ctx.sopsEnv));
    runs.sigilDec.push(timeProcess(ctx.sigil[0]!, [...ctx.sigil.slice(1), "decrypt", sopsEnc], ctx.sopsEnv));
  }
  const encMiB = readFileSync(sopsEnc).length / (1 << 20);
  const sec = (xs: { seconds: number }[]): number => median(xs.map((x) => x.seconds));
  const rss = (xs: { maxRssMiB: number }[]): number => median(xs.map((x) => x.maxRssMiB));
  const row = (what: string, sops: typeof runs.sopsEnc, sigil: typeof runs.sopsEnc): string =>
    `| ${what} | ${fmt(sec(sops))} s | ${fmt(sec(sigil))} s | **${fmt(sec(sigil) / sec(sops))}** | ${fmt(rss(sops), 0)} MiB | ${fmt(rss(sigil), 0)} MiB |`;
  return [
    `### 2. One large YAML file: 100,000 values, ${fmt(plainMiB, 1)} MiB plain, ${fmt(encMiB, 1)} MiB encrypted`,
    "",
    "Whole CLI processes, age key; both decrypt the file sops wrote. Sigil runs from the compiled build.",
    "",
    "| | sops | sigil | ratio sigil/sops (target ≤ 1.0) | sops peak RSS | sigil peak RSS |",
    "|---|---|---|---|---|---|",
    row("encrypt", runs.sopsEnc, runs.sigilEnc),
    row("decrypt", runs.sopsDec, runs.sigilDec),
    "",
  ];
}

export async function kmsCalls(ctx: Ctx): Promise<string[]> {
  const kms = ctx.env.kms;
  const plain = join(ctx.dir, "kms.yaml");
  writeFileSync(plain, secretManifest(1));
  execFileSync(ctx.sops, ["encrypt", "--kms", kms.keyArns[0]!, "--in-place", plain], { env: ctx.sopsEnv });
  const bytes = readFileSync(plain);
  let decrypts = 0;
  const clients: KmsClientFactory = ({ region }) => {
    const sdk = new KMSClient({ endpoint: kms.endpoint, region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    return {
      encrypt: (input) => sdk.send(new EncryptCommand({ ...input, EncryptionContext: { ...input.EncryptionContext } })),
      decrypt: (input) => {
        decrypts++;
        return sdk.send(new DecryptCommand({ ...input, EncryptionContext: { ...input.EncryptionContext } }));
      },
    };
  };
  const registry = buildProviderRegistry({}, { kmsClients: clients });
  const cache = new DataKeyCache();
  await decryptFile(bytes, { registry, cache, path: plain });
  await decryptFile(bytes, { registry, cache, path: plain });
  return [
    "### 3. The same KMS-encrypted file decrypted twice in one process",
    "",
    `KMS Decrypt calls counted at an instrumented client: **${decrypts}** (target: exactly 1). The second decryption is served by the data-key cache, keyed by the wrapped key.`,
    "",
  ];
}

export function sigilCommand(): string[] {
  execFileSync("npm", ["run", "-s", "build"], { stdio: "inherit" });
  return [process.execPath, "dist/cli/main.js"];
}

export async function runSopsBench(env: EnvState): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-sops-"));
  try {
    const sops = env.bin["sops"]!;
    const key = ageKey(dir, env.bin["age-keygen"]!);
    const sopsEnv = {
      ...process.env, SOPS_DISABLE_VERSION_CHECK: "1", SOPS_AGE_KEY_FILE: key.file, AWS_ENDPOINT_URL_KMS: env.kms.endpoint,
      AWS_REGION: env.kms.region, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", SIGIL_SOPS_MAX_INPUT_BYTES: String(64 << 20),
    };
    const ctx: Ctx = { dir, env, sops, sigil: sigilCommand(), key, sopsEnv };
    const lines = [
      "## SOPS (issue 3)",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, sops 3.13.2 built from its Go module. Reproduce with \`npm run bench -- sops\` (it starts the test environment if needed).`,
      "",
      ...(await manySmallFiles(ctx, 1000)),
      ...largeFile(ctx),
      ...(await kmsCalls(ctx)),
    ];
    writeReportSection("docs/benchmarks.md", "sops", lines.join("\n"));
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
