/**
 * The controller as its own process, for the memory measurement: it runs
 * Sigil's Sealed Secrets controller against the API server for one
 * namespace and prints JSON lines with `process.memoryUsage().rss`, the
 * peak RSS (`resourceUsage().maxRSS`) and the private-key operation count
 * after each phase. Stops on SIGTERM.
 *
 *   node --expose-gc --import tsx bench/sealed-secrets/controller-process.ts <kubeconfig> <namespace> <expected>
 */
import { writeHeapSnapshot } from "node:v8";
import { Logger, redactor } from "../../src/core/index.js";
import { SealedSecretsController } from "../../src/operator/index.js";
import { HttpKubeClient, connectionFromKubeconfig } from "../../src/kube/index.js";
import { countPrivateKeyOperations } from "./instrument.js";

const [kubeconfig, namespace, expectedText] = process.argv.slice(2);
if (kubeconfig === undefined || namespace === undefined || expectedText === undefined) throw new Error("usage: controller-process.ts <kubeconfig> <namespace> <expected>");
const expected = Number(expectedText);
const counter = countPrivateKeyOperations();
const client = new HttpKubeClient(await connectionFromKubeconfig(kubeconfig));
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

function report(phase: string, extra: Record<string, unknown> = {}): void {
  const m = process.memoryUsage();
  const memory = { rssMb: mb(m.rss), peakRssMb: mb(process.resourceUsage().maxRSS * 1024), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) };
  process.stdout.write(`${JSON.stringify({ phase, ...memory, privateKeyOperations: counter.count(), redactedForms: redactor.size, ...extra })}\n`);
}

async function settled(controller: SealedSecretsController): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await controller.idle();
    await new Promise((r) => setTimeout(r, 500));
  }
}

report("start");
const started = performance.now();
const controller = await SealedSecretsController.start(client, {
  keyNamespace: namespace,
  watchNamespaces: [namespace],
  listenAddr: undefined,
  keyRenewPeriodMs: 0,
  logger: new Logger({ level: "warn", sink: (line) => process.stderr.write(`${line}\n`) }),
});
await settled(controller);
report("synced", { sealedSecrets: controller.size, expected, seconds: Math.round((performance.now() - started) / 100) / 10 });
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
report("after-gc");
// SIGIL_BENCH_HEAPSNAPSHOT=<dir>: a heap snapshot after the first sync, to see what holds the memory.
const snapshotDir = process.env["SIGIL_BENCH_HEAPSNAPSHOT"];
if (snapshotDir !== undefined) process.stderr.write(`heap snapshot: ${writeHeapSnapshot(`${snapshotDir}/controller-${process.pid}.heapsnapshot`)}\n`);
const resync = performance.now();
const before = counter.count();
controller.resync();
await settled(controller);
report("resynced", { resyncPrivateKeyOperations: counter.count() - before, seconds: Math.round((performance.now() - resync) / 100) / 10 });
process.once("SIGTERM", () => {
  void controller.stop().then(() => {
    client.close();
    report("stopped");
    process.exit(0);
  });
});
report("ready");
