/**
 * `sigil operator --controllers=sealedsecrets` as its own process, for the
 * memory measurement: the CLI's own `runCli` and operator command (the same
 * flags parsing, provider wiring, manager and signals as the installed
 * `sigil`), with one hook added (`onStarted`) so that this script knows
 * when the controller is idle. It prints JSON lines: after each phase the
 * process's memory, the peak RSS (the kernel's `VmHWM`, see `memory.ts`), what the RSS
 * consisted of at its highest sampled point (see `memory.ts`) and the
 * private-key operation count. Stops on SIGTERM, as the operator does.
 *
 *   node --expose-gc --import tsx bench/sealed-secrets/operator-process.ts <kubeconfig> <namespace> <expected>
 *
 * The benchmark bundles it with the CLI (`reconcile.ts`, `bundleOperatorProcess`).
 */
import { writeHeapSnapshot } from "node:v8";
import { redactor } from "../../src/core/index.js";
import { COMMANDS } from "../../src/cli/commands/index.js";
import type { CommandEntry } from "../../src/cli/commands/index.js";
import { createOperatorCommand } from "../../src/cli/commands/operator/index.js";
import { processContext } from "../../src/cli/context.js";
import { runCli } from "../../src/cli/program.js";
import type { Manager } from "../../src/kube/runtime/index.js";
import { SealedSecretsController } from "../../src/operator/index.js";
import { countPrivateKeyOperations } from "./instrument.js";
import { PeakSampler, peakRss } from "./memory.js";

const [kubeconfig, namespace, expectedText] = process.argv.slice(2);
if (kubeconfig === undefined || namespace === undefined || expectedText === undefined) throw new Error("usage: operator-process.ts <kubeconfig> <namespace> <expected>");
const expected = Number(expectedText);
const counter = countPrivateKeyOperations();
const sampler = new PeakSampler(100);
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** One JSON line: memory now, the peak so far, and what the highest sample of this phase consisted of. */
function report(phase: string, extra: Record<string, unknown> = {}): void {
  const now = sampler.sample();
  const atPeak = sampler.peak(true);
  const line = { phase, ...extra, rssMb: now.rssMb, peakRssMb: mb(peakRss()), heapUsedMb: now.heapUsedMb, externalMb: now.externalMb, privateKeyOperations: counter.count(), redactedForms: redactor.size, now, atPeak };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function settled(manager: Manager): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await manager.idle();
    await new Promise((r) => setTimeout(r, 500));
  }
}

const started = performance.now();
const seconds = (from: number): number => Math.round((performance.now() - from) / 100) / 10;

/** Once the operator runs: wait for the first sync, then resync once; SIGTERM (from the benchmark) stops it. */
async function drive(manager: Manager): Promise<void> {
  const controller = manager.controllers.find((c): c is SealedSecretsController => c instanceof SealedSecretsController);
  if (controller === undefined) throw new Error("the operator runs no SealedSecret controller");
  await settled(manager);
  report("synced", { sealedSecrets: controller.size, expected, seconds: seconds(started) });
  (globalThis as { gc?: () => void }).gc?.();
  report("after-gc");
  // SIGIL_BENCH_HEAPSNAPSHOT=<dir>: a heap snapshot after the sync, to see what holds the memory.
  const snapshotDir = process.env["SIGIL_BENCH_HEAPSNAPSHOT"];
  if (snapshotDir !== undefined) process.stderr.write(`heap snapshot: ${writeHeapSnapshot(`${snapshotDir}/operator-${process.pid}.heapsnapshot`)}\n`);
  const resync = performance.now();
  const before = counter.count();
  controller.resync();
  await settled(manager);
  report("resynced", { resyncPrivateKeyOperations: counter.count() - before, seconds: seconds(resync) });
  report("ready");
}

const operator = createOperatorCommand({
  onStarted: (manager) => {
    drive(manager).catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
  },
});
const commands: CommandEntry[] = COMMANDS.map((c) => (c.name === "operator" ? { ...c, load: () => Promise.resolve(operator) } : c));
report("start");
const args = ["operator", "--controllers=sealedsecrets", `--kubeconfig=${kubeconfig}`, `--namespace=${namespace}`, "--all-namespaces=false", "--listen-addr=", "--key-renew-period=0", "--log-level=warn"];
const code = await runCli(args, processContext(), commands);
report("stopped");
process.exit(code);
