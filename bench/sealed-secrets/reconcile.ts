/**
 * The controller benchmarks against the real API server:
 *
 * - re-reconciling N unchanged SealedSecrets (a resync, then a restart with
 *   empty caches) performs zero RSA private-key operations, counted by
 *   wrapping `node:crypto` itself (`instrument.ts`);
 * - the RSS of `sigil operator` (the bundle, with the Deployment's
 *   environment) holding M SealedSecrets, and what that RSS consists of.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import { Logger } from "../../src/core/index.js";
import { buildKeySecret, generateSealingKeyPair, sealSecret } from "../../src/decrypt/sealed-secrets/index.js";
import type { GeneratedKeyPair } from "../../src/decrypt/sealed-secrets/index.js";
import { SealedSecretsController } from "../../src/operator/index.js";
import type { HttpKubeClient } from "../../src/kube/index.js";
import { countPrivateKeyOperations } from "./instrument.js";
import type { MemorySample } from "./memory.js";

export interface ReconcileResult {
  readonly sealedSecrets: number;
  readonly initialPrivateKeyOperations: number;
  readonly initialSeconds: number;
  readonly resyncPrivateKeyOperations: number;
  readonly resyncSeconds: number;
  readonly restartPrivateKeyOperations: number;
  readonly restartSeconds: number;
}

export interface RssResult {
  readonly runtime: Runtime;
  readonly settings: Settings;
  /** The variables set from deploy/deployment.yaml (none with `defaults`). */
  readonly env: Readonly<Record<string, string>>;
  readonly sealedSecrets: number;
  readonly phases: readonly Record<string, unknown>[];
  readonly peakRssMb: number;
  readonly steadyRssMb: number;
  /** What the RSS consisted of at the highest sampled point. */
  readonly atPeak: MemorySample | undefined;
}

const secretsPath = (ns: string): string => `/api/v1/namespaces/${ns}/secrets`;
const sealedPath = (ns: string): string => `/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets`;

/** A namespace with a 4096-bit key Secret. */
export async function prepareNamespace(client: HttpKubeClient, ns: string): Promise<GeneratedKeyPair> {
  await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const pair = await generateSealingKeyPair({ keySize: 4096 });
  await client.create(secretsPath(ns), buildKeySecret({ privateKeyPem: pair.privateKeyPem, certificatePem: pair.certificate.pem }, { namespace: ns }));
  return pair;
}

/** Create SealedSecrets `bench-<from>` … `bench-<to-1>`, each with two values, 16 at a time. */
export async function createSealedSecrets(client: HttpKubeClient, ns: string, pair: GeneratedKeyPair, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const i = next++;
      const ss = sealSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: `bench-${i}`, namespace: ns }, stringData: { password: `pw-${i}`, user: `user-${i}` } }, pair.certificate.publicKey);
      await client.create(sealedPath(ns), ss);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function secretCount(client: HttpKubeClient, ns: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await client.list(secretsPath(ns), { limit: 1000, continue: token, labelSelector: "!sealedsecrets.bitnami.com/sealed-secrets-key" });
    n += page.items.length;
    token = page.continue === "" ? undefined : page.continue;
  } while (token !== undefined);
  return n;
}

async function settled(controller: SealedSecretsController): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await controller.idle();
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await fn();
  return [value, Math.round((performance.now() - t) / 100) / 10];
}

/** Reconcile `count` SealedSecrets, then resync, then restart; count private-key operations in each phase. */
export async function measureReconcile(client: HttpKubeClient, ns: string, count: number): Promise<ReconcileResult> {
  const counter = countPrivateKeyOperations();
  const options = { keyNamespace: ns, watchNamespaces: [ns], listenAddr: undefined, keyRenewPeriodMs: 0, logger: new Logger({ level: "warn" }) };
  const c0 = counter.count();
  const [first, initialSeconds] = await timed(async () => {
    const c = await SealedSecretsController.start(client, options);
    await settled(c);
    return c;
  });
  const produced = await secretCount(client, ns);
  if (produced !== count) throw new Error(`expected ${count} Secrets after the first reconcile, found ${produced}`);
  const c1 = counter.count();
  const [, resyncSeconds] = await timed(async () => {
    first.resync();
    await settled(first);
  });
  const c2 = counter.count();
  await first.stop();
  const [second, restartSeconds] = await timed(async () => {
    const c = await SealedSecretsController.start(client, options);
    await settled(c);
    return c;
  });
  const c3 = counter.count();
  if (second.size !== count) throw new Error(`the restarted controller sees ${second.size} SealedSecrets, expected ${count}`);
  await second.stop();
  return {
    sealedSecrets: count,
    initialPrivateKeyOperations: c1 - c0,
    initialSeconds,
    resyncPrivateKeyOperations: c2 - c1,
    resyncSeconds,
    restartPrivateKeyOperations: c3 - c2,
    restartSeconds,
  };
}

/**
 * How the operator process runs: bundled by `scripts/build-cli.mjs` with
 * the CLI's chunks (as `sigil operator` runs from the package), or
 * TypeScript through tsx (development).
 */
export type Runtime = "bundle" | "tsx";

/**
 * The environment the operator runs with: `deployed` takes the literal
 * `env` entries of the operator container in deploy/deployment.yaml
 * (NODE_OPTIONS, MALLOC_ARENA_MAX, …), so the benchmark measures what the
 * Deployment runs; `defaults` sets none of them (V8's and glibc's defaults).
 */
export type Settings = "deployed" | "defaults";

/** The operator container's `env` entries that have a literal value, from deploy/deployment.yaml. */
export function deployedEnv(): Record<string, string> {
  const file = fileURLToPath(new URL("../../deploy/deployment.yaml", import.meta.url));
  const doc = parseYaml(readFileSync(file, "utf8")) as { spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } } };
  const container = doc.spec.template.spec.containers.find((c) => c.name === "operator");
  if (container === undefined) throw new Error(`no operator container in ${file}`);
  return Object.fromEntries((container.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
}

/** The names of the variables in {@link deployedEnv} that change how the process runs (the rest, like HOME, only matter in the container). */
const RUNTIME_VARIABLES = ["NODE_OPTIONS", "MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "UV_THREADPOOL_SIZE"];

/**
 * Bundle the operator process script with the CLI (scripts/build-cli.mjs,
 * extra entries) into a temporary directory laid out as the package is.
 * Returns the node arguments that run it (the private-key counter is
 * preloaded); `cleanup` removes the directory.
 */
export function bundleOperatorProcess(): { args: string[]; cleanup: () => void } {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "sigil-bench-bundle-"));
  const outdir = join(out, "dist", "bundle");
  const entries = ["operator-process", "instrument-preload"].flatMap((e) => ["--entry", `${e}=bench/sealed-secrets/${e}.ts`]);
  const res = spawnSync(process.execPath, [join(root, "scripts", "build-cli.mjs"), "--outdir", outdir, ...entries], { encoding: "utf8", cwd: root });
  if (res.status !== 0) throw new Error(`the bundle failed: ${res.stdout}${res.stderr}`);
  symlinkSync(join(root, "node_modules"), join(out, "node_modules"));
  // The CLI reads its version from the package.json two levels above the bundle.
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module", version }));
  const cleanup = (): void => {
    rmSync(out, { recursive: true, force: true });
  };
  return { args: ["--import", pathToFileURL(join(outdir, "instrument-preload.js")).href, join(outdir, "operator-process.js")], cleanup };
}

/** Run `sigil operator` as its own process over `count` SealedSecrets (a first sync, or a restart when they are reconciled already), resync once, and read its RSS. */
export async function measureRss(kubeconfig: string, ns: string, count: number, runtime: Runtime, settings: Settings, overrides: Readonly<Record<string, string>> = {}): Promise<RssResult> {
  const compiled = runtime === "bundle" ? bundleOperatorProcess() : undefined;
  const script = fileURLToPath(new URL("./operator-process.ts", import.meta.url));
  const args = compiled === undefined ? ["--expose-gc", "--import", "tsx", script] : ["--expose-gc", ...compiled.args];
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of RUNTIME_VARIABLES) env[name] = undefined;
  const applied = { ...(settings === "deployed" ? Object.fromEntries(Object.entries(deployedEnv()).filter(([k]) => RUNTIME_VARIABLES.includes(k))) : {}), ...overrides };
  const child = spawn(process.execPath, [...args, kubeconfig, ns, String(count)], { stdio: ["ignore", "pipe", "inherit"], env: { ...env, ...applied } });
  const phases: Record<string, unknown>[] = [];
  try {
    const lines = createInterface({ input: child.stdout });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    for await (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      phases.push(record);
      if (record["phase"] === "ready") child.kill("SIGTERM");
    }
    const code = await exited;
    if (code !== 0) throw new Error(`the operator process exited with ${code}`);
  } finally {
    compiled?.cleanup();
  }
  const synced = phases.find((p) => p["phase"] === "synced");
  if (synced?.["sealedSecrets"] !== count) throw new Error(`the operator process saw ${String(synced?.["sealedSecrets"])} SealedSecrets, expected ${count}`);
  const peak = Math.max(...phases.map((p) => Number(p["peakRssMb"] ?? 0)));
  const steady = Number(phases.find((p) => p["phase"] === "resynced")?.["rssMb"] ?? 0);
  const atPeak = phases.map((p) => p["atPeak"] as MemorySample | undefined).reduce<MemorySample | undefined>((a, b) => (b !== undefined && (a === undefined || b.rssMb > a.rssMb) ? b : a), undefined);
  return { runtime, settings, env: applied, sealedSecrets: count, phases, peakRssMb: peak, steadyRssMb: steady, atPeak };
}
