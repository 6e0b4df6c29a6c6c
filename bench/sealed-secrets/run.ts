/**
 * The Sealed Secrets benchmark. Needs the test environment (`npm run env -- up`).
 *
 *   npx tsx bench/sealed-secrets/run.ts            # full: 100 values x 3 rounds, 1,000 and 5,000 SealedSecrets
 *   npx tsx bench/sealed-secrets/run.ts --quick    # smaller numbers, for a smoke run
 *
 * The full run writes bench/sealed-secrets/results.json and the "Sealed
 * Secrets" section of docs/benchmarks.md; --quick writes its results to the
 * temp directory only.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HttpKubeClient } from "../../src/kube/index.js";
import { REPO_ROOT } from "../../test/env/state.js";
import { ensureSealedSecretCrd, kubeConnection } from "../../test/support/bitnami.js";
import { peerBin, peers, uniqueName } from "../../test/support/peers.js";
import { createSealedSecrets, deployedEnv, measureReconcile, measureRss, prepareNamespace } from "./reconcile.js";
import type { ReconcileResult, RssResult } from "./reconcile.js";
import { measureThroughput } from "./throughput.js";
import type { ThroughputResult } from "./throughput.js";

interface Results {
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  /** 1-minute load average at the start, before the RSS runs, and at the end. */
  readonly load: readonly number[];
  readonly throughput: ThroughputResult;
  readonly reconcile: ReconcileResult;
  /** The first sync (and a resync), as deployed. */
  readonly rss: RssResult;
  /** A restart over the same objects (and a resync), as deployed. */
  readonly rssRestart: RssResult;
  /** A restart with V8's and glibc's defaults, for comparison. */
  readonly rssDefault: RssResult;
}

let quick = false;
let sizes = { values: 100, rounds: 3, reconcile: 1000, rss: 5000 };
const log = (msg: string): void => {
  process.stderr.write(`[bench] ${msg}\n`);
};

async function main(): Promise<void> {
  const load = [loadavg()[0] ?? 0];
  log(`unseal throughput: ${sizes.values} values, ${sizes.rounds} round(s), Sigil vs kubeseal --recovery-unseal`);
  const throughput = await measureThroughput(peerBin("kubeseal"), sizes.values, sizes.rounds);
  log(JSON.stringify(throughput));
  const env = peers();
  const client = new HttpKubeClient(kubeConnection(env.kube.kubeconfig));
  await ensureSealedSecretCrd(client);
  const ns = uniqueName("bench-ss");
  try {
    const pair = await prepareNamespace(client, ns);
    log(`creating ${sizes.reconcile} SealedSecrets in ${ns}`);
    await createSealedSecrets(client, ns, pair, 0, sizes.reconcile);
    const reconcile = await measureReconcile(client, ns, sizes.reconcile);
    log(JSON.stringify(reconcile));
    log(`creating ${sizes.rss - sizes.reconcile} more SealedSecrets (${sizes.rss} in all)`);
    await createSealedSecrets(client, ns, pair, sizes.reconcile, sizes.rss);
    load.push(loadavg()[0] ?? 0);
    const deployed = Object.entries(deployedEnv()).map(([k, v]) => `${k}=${v}`).join(" ");
    log(`sigil operator (the bundle, as deploy/deployment.yaml runs it: ${deployed}): first sync of all of them, then a resync`);
    const rss = await measureRss(env.kube.kubeconfig, ns, sizes.rss, "bundle", "deployed");
    log(JSON.stringify(rss.phases));
    log("sigil operator (the bundle, as deployed): restart over the same objects, then a resync");
    const rssRestart = await measureRss(env.kube.kubeconfig, ns, sizes.rss, "bundle", "deployed");
    log(JSON.stringify(rssRestart.phases));
    log("sigil operator (the bundle, V8 and glibc defaults): restart over the same objects");
    const rssDefault = await measureRss(env.kube.kubeconfig, ns, sizes.rss, "bundle", "defaults");
    log(JSON.stringify(rssDefault.phases));
    load.push(loadavg()[0] ?? 0);
    const results: Results = {
      date: new Date().toISOString(),
      machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`,
      node: process.version,
      load,
      throughput,
      reconcile,
      rss,
      rssRestart,
      rssDefault,
    };
    const out = quick ? join(tmpdir(), "sigil-bench-sealed-secrets-quick.json") : join(REPO_ROOT, "bench", "sealed-secrets", "results.json");
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${out}`);
    if (!quick) writeSection(results);
    process.stdout.write(markdown(results));
  } finally {
    await client.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
    client.close();
  }
}

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();
const envText = (r: RssResult): string => Object.entries(r.env).map(([k, v]) => `\`${k}=${v}\``).join(", ") || "no settings";

function markdown(r: Results): string {
  const t = r.throughput;
  const ratio = t.sigilValuesPerCpuSecond / t.kubesealValuesPerCpuSecond;
  return [
    `Run: \`npx tsx bench/sealed-secrets/run.ts\` (needs \`npm run env -- up\`; 5–15 minutes on a shared 2-core machine, most of it the first sync of 5,000 SealedSecrets). Last run ${r.date.slice(0, 16).replace("T", " ")} UTC on ${r.machine}, Node ${r.node}, 1-minute load average ${r.load.map((l) => l.toFixed(1)).join(" / ")} (start / before the RSS runs / end); raw numbers in \`bench/sealed-secrets/results.json\`.`,
    "",
    "| Measure | Sigil | Reference | Ratio |",
    "|---|---|---|---|",
    `| Unseal throughput per core, RSA-4096 (values per CPU-second; ${t.values} values, median of runs) | ${r1(t.sigilValuesPerCpuSecond)} (${r1(t.sigilMsPerValue)} ms/value) | kubeseal --recovery-unseal v0.36.6: ${r1(t.kubesealValuesPerCpuSecond)} (${r1(t.kubesealMsPerValue)} ms/value) | **${ratio.toFixed(2)}x** |`,
    `| RSA private-key operations: first reconcile of ${r.reconcile.sealedSecrets} SealedSecrets (2 values each) | ${r.reconcile.initialPrivateKeyOperations} in ${r1(r.reconcile.initialSeconds)} s | ${r.reconcile.sealedSecrets * 2} values | ${(r.reconcile.initialPrivateKeyOperations / (r.reconcile.sealedSecrets * 2)).toFixed(2)} per value |`,
    `| RSA private-key operations: re-reconcile after a resync | **${r.reconcile.resyncPrivateKeyOperations}** in ${r1(r.reconcile.resyncSeconds)} s | target 0 | – |`,
    `| RSA private-key operations: re-reconcile after a restart (empty caches) | **${r.reconcile.restartPrivateKeyOperations}** in ${r1(r.reconcile.restartSeconds)} s | target 0 | – |`,
    `| \`sigil operator\` RSS with ${r.rss.sealedSecrets} SealedSecrets, the bundle as deploy/deployment.yaml runs it (${envText(r.rss)}): peak over the first sync and a resync (VmHWM) | **${r1(r.rss.peakRssMb)} MB** (${r1(r.rss.steadyRssMb)} MB after the resync) | target < 150 MB | ${(r.rss.peakRssMb / 150).toFixed(2)} of the budget |`,
    `| The same, peak over a restart and a resync | **${r1(r.rssRestart.peakRssMb)} MB** (${r1(r.rssRestart.steadyRssMb)} MB after the resync) | target < 150 MB | ${(r.rssRestart.peakRssMb / 150).toFixed(2)} of the budget |`,
    `| The same, V8's and glibc's defaults (no NODE_OPTIONS, no MALLOC_ARENA_MAX), peak over a restart | ${r1(r.rssDefault.peakRssMb)} MB | target < 150 MB | ${(r.rssDefault.peakRssMb / 150).toFixed(2)} of the budget |`,
    `| At the first sync's highest sample (${r1(r.rss.atPeak?.rssMb ?? 0)} MB): V8 heap pages / of which live objects / V8 malloc / node binary and libraries (file-backed) / the rest (OpenSSL, TLS, libuv, malloc free lists) | ${r1(r.rss.atPeak?.heapPhysicalMb ?? 0)} / ${r1(r.rss.atPeak?.heapUsedMb ?? 0)} / ${r1(r.rss.atPeak?.v8MallocedMb ?? 0)} / ${r1(r.rss.atPeak?.rssFileMb ?? 0)} / ${r1(r.rss.atPeak?.otherAnonMb ?? 0)} MB | – | – |`,
    `| Of which: the process before any SealedSecret (Node, the CLI and the operator's code; the provider SDKs, age-encryption and node-forge are imported on first use) | ${r1(Number(r.rss.phases[0]?.["rssMb"] ?? 0))} MB | plain \`node\`: about 45 MB | – |`,
    "",
  ].join("\n");
}

const BEGIN = "<!-- sealed-secrets-bench:begin -->";
const END = "<!-- sealed-secrets-bench:end -->";

/** Replace (or add) the generated part of the "Sealed Secrets" section of docs/benchmarks.md. */
function writeSection(r: Results): void {
  const file = join(REPO_ROOT, "docs", "benchmarks.md");
  const block = `${BEGIN}\n${markdown(r)}${END}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  if (text.includes(BEGIN) && text.includes(END)) text = text.slice(0, text.indexOf(BEGIN)) + block + text.slice(text.indexOf(END) + END.length);
  else text = `${text.trimEnd()}\n\n## Sealed Secrets\n\n${block}\n`;
  writeFileSync(file, text);
}

/** Run the benchmark (for `bench/run.ts`); `quick` uses small numbers and does not touch docs/benchmarks.md. */
export async function runSealedSecretsBench(options: { readonly quick: boolean } = { quick: false }): Promise<void> {
  quick = options.quick;
  if (quick) sizes = { values: 20, rounds: 1, reconcile: 100, rss: 300 };
  await main();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runSealedSecretsBench({ quick: process.argv.includes("--quick") });
}
