/**
 * `npm run bench -- <name…>`: run benchmarks side by side with the peer tools
 * and write their sections of docs/benchmarks.md. Names: sops, sealed-secrets, external-secrets, startup, reconcile, many-syncs.
 * Flags after the names go to the benchmarks: `npm run bench -- external-secrets --n 1000`.
 */
import { up } from "../test/env/env.js";
import { runExternalSecretsBench } from "./external-secrets/run.js";
import { runManySyncsBench } from "./many-syncs/run.js";
import { runReconcileBench } from "./reconcile/run.js";
import { runSealedSecretsBench } from "./sealed-secrets/run.js";
import { runSopsBench } from "./sops/run.js";
import { runStartupBench } from "./startup/run.js";

const BENCHES: Record<string, () => Promise<void>> = {
  sops: async () => runSopsBench(await up()),
  "sealed-secrets": async () => {
    await up();
    await runSealedSecretsBench({ quick: process.env["SIGIL_BENCH_QUICK"] === "1" });
  },
  // Sigil's externalsecrets controller against the real ESO controller (--n N ExternalSecrets, default 200; docs figures from --n 1000)
  "external-secrets": async () => {
    await up();
    await runExternalSecretsBench(flags);
  },
  // needs no running environment, only the sops binary
  startup: () => runStartupBench(),
  reconcile: async () => {
    await up();
    await runReconcileBench({ quick: process.env["SIGIL_BENCH_QUICK"] === "1" });
  },
  // 200 Syncs from 20 GitSources: the operator's restart to all Ready, its peak RSS and requests (no peer: Flux is not in the environment)
  "many-syncs": async () => {
    await up();
    await runManySyncsBench({ quick: process.env["SIGIL_BENCH_QUICK"] === "1" });
  },
};

// `--flag value` pairs after the names go to the benchmarks that take flags (external-secrets).
const args = process.argv.slice(2);
const firstFlag = args.findIndex((a) => a.startsWith("--"));
const names = firstFlag < 0 ? args : args.slice(0, firstFlag);
const flags = firstFlag < 0 ? [] : args.slice(firstFlag);
const chosen = names.length === 0 ? Object.keys(BENCHES) : names;
for (const name of chosen) {
  const bench = BENCHES[name];
  if (bench === undefined) {
    process.stderr.write(`unknown benchmark '${name}' (known: ${Object.keys(BENCHES).join(", ")})\n`);
    process.exitCode = 2;
    continue;
  }
  await bench();
}
