/**
 * `sigil operator`: run the controllers chosen by `--controllers` in this
 * process, on one manager (`src/kube/runtime`): shared watches, start-up,
 * health probes and graceful shutdown on SIGTERM/SIGINT. Today the only
 * controller is `sealedsecrets` (bitnami-compatible key Secrets, status,
 * Events and endpoints; drift repair; provider-wrapped private keys). A
 * key that cannot be loaded at start (for example a wrapped key whose
 * provider is unreachable) ends the command with the provider's error and
 * exit code; no replacement key is generated.
 */
import { homedir } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { Logger, describeError, parseLogLevel } from "../../../core/index.js";
import { SealedSecretsController } from "../../../operator/index.js";
import { HttpKubeClient, loadKubeConfig } from "../../../kube/index.js";
import { Manager } from "../../../kube/runtime/index.js";
import type { CliContext } from "../../context.js";
import { buildProviderRegistry } from "../../../providers/index.js";
import type { CommandModule } from "../index.js";
import { DEFAULT_CONTROLLERS, selectControllers } from "./controllers.js";
import { parseDuration } from "./flags.js";
import type { OperatorFlags } from "./flags.js";
import { processSignals } from "./signals.js";
import type { OperatorSignals } from "./signals.js";

export { manualSignals, processSignals } from "./signals.js";
export type { ManualSignals, OperatorSignals } from "./signals.js";
export { parseBool, parseCount, parseCutoff, parseDuration, parsePairs, keyNamespace, controllerOptions, noCrossNamespaceRefs, POD_NAMESPACE_ENV } from "./flags.js";
export type { OperatorFlags } from "./flags.js";
export { CONTROLLERS, DEFAULT_CONTROLLERS, refreshJitter, selectControllers } from "./controllers.js";
export type { ControllerEntry, ControllerSetup } from "./controllers.js";

/** What the command depends on beyond the CLI context. */
export interface OperatorCommandDeps {
  /** Stop / rotate requests (default: process signals). */
  readonly signals: () => OperatorSignals;
  /** Called once the controllers run (tests use it to reach them). */
  readonly onStarted?: ((manager: Manager) => void) | undefined;
  /** The node flags of this process (default `process.execArgv`), for the memory hint. */
  readonly execArgv?: readonly string[] | undefined;
}

/** The V8 flag that keeps the controller under its memory budget (docs/benchmarks.md, Sealed Secrets). */
export const SEMI_SPACE_FLAG = "--max-semi-space-size";

/** True when the young generation is capped, through `node` flags or `NODE_OPTIONS`. */
export function semiSpaceCapped(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? "").split(/\s+/)].some((a) => a.startsWith(SEMI_SPACE_FLAG));
}

async function run(flags: OperatorFlags, ctx: CliContext, deps: OperatorCommandDeps): Promise<void> {
  const logger = new Logger({ level: parseLogLevel(flags.logLevel), sink: (line) => ctx.stderr.write(`${line}\n`) });
  const entries = selectControllers(flags.controllers);
  const shutdownTimeoutMs = parseDuration(flags.shutdownTimeout, "--shutdown-timeout");
  // A relative --kubeconfig is relative to the command's working directory, not the process's.
  const path = flags.kubeconfig === undefined ? undefined : resolve(ctx.cwd, flags.kubeconfig);
  const kube = await loadKubeConfig({ path, context: flags.context, env: ctx.env, homedir: ctx.env["HOME"] ?? homedir() });
  const client = new HttpKubeClient(kube.connection, { userAgent: "sigil-operator" });
  const setup = { flags, ctx, client, logger, providers: buildProviderRegistry(ctx.env) };
  const manager = new Manager(client, { logger, shutdownTimeoutMs, healthAddr: flags.healthAddr === "" ? undefined : flags.healthAddr });
  for (const entry of entries) manager.add(entry.create(setup));
  logger.info("starting controllers", { kubeconfig: kube.source, controllers: entries.map((e) => e.name) });
  if (!semiSpaceCapped(deps.execArgv ?? process.execArgv, ctx.env["NODE_OPTIONS"])) {
    logger.warn(`V8's young generation is not capped: set NODE_OPTIONS=${SEMI_SPACE_FLAG}=2 (and MALLOC_ARENA_MAX=2), as deploy/deployment.yaml does, to keep memory under 150 MB with 5,000 SealedSecrets`);
  }
  const signals = deps.signals();
  try {
    await manager.start();
  } catch (err) {
    logger.error("the controllers did not start", { error: describeError(err) });
    signals.dispose();
    client.close();
    throw err;
  }
  signals.onRotate(() => {
    rotateSealingKeys(manager, logger);
  });
  deps.onStarted?.(manager);
  const reason = await signals.stopped;
  logger.info("stopping", { reason });
  await manager.stop();
  signals.dispose();
  client.close();
}

/** SIGUSR1: a new sealing key now (bitnami's signal), when the Sealed Secrets controller runs. */
function rotateSealingKeys(manager: Manager, logger: Logger): void {
  for (const controller of manager.controllers) {
    if (!(controller instanceof SealedSecretsController)) continue;
    controller.keys.rotate("rotation requested").catch((err: unknown) => {
      logger.error("key rotation failed", { error: describeError(err) });
    });
  }
}

/** The command, with its dependencies injected. */
export function createOperatorCommand(deps: Partial<OperatorCommandDeps> = {}): CommandModule {
  const full: OperatorCommandDeps = { signals: processSignals, ...deps };
  return {
    name: "operator",
    register(program: Command, ctx: CliContext): void {
      program
        .command("operator")
        .description("run Sigil's in-cluster controllers (chosen by --controllers) until SIGTERM; SIGUSR1 makes a new sealing key")
        .option("--controllers <list>", `comma-separated controllers to run (known: ${DEFAULT_CONTROLLERS})`, DEFAULT_CONTROLLERS)
        .option("--health-addr <host:port>", "address of /healthz and /readyz ('' = none)", "")
        .option("--webhook-addr <host:port>", "address of the receivers controller's webhook server (POST /hook/<sha256>, GET /metrics)", "127.0.0.1:9292")
        .option("--shutdown-timeout <duration>", "at SIGTERM, how long running reconciles may take to finish", "30s")
        .option("--kubeconfig <file>", "kubeconfig (default: the files of $KUBECONFIG merged, else ~/.kube/config, else the in-cluster service account)")
        .option("--context <name>", "kubeconfig context to use (default: current-context)")
        .option("-n, --namespace <namespace>", "controller namespace, where key Secrets live (default: $POD_NAMESPACE, the service account's, else default)")
        .option("--all-namespaces [bool]", "reconcile SealedSecrets in all namespaces; false = the controller namespace and --additional-namespaces", "true")
        .option("--additional-namespaces <list>", "comma-separated namespaces to reconcile besides the controller namespace", "")
        .option("--label-selector <selector>", "only reconcile SealedSecrets matching this label selector")
        .option("--listen-addr <host:port>", "address of /v1/cert.pem, /v1/verify, /v1/rotate and /healthz ('' = no server)", "127.0.0.1:8080")
        .option("--key-renew-period <duration>", "make a new sealing key this often; 0 turns renewal off", "720h")
        .option("--key-cutoff-time <time>", "make a new key at start if the newest is older (RFC 1123Z, e.g. 'Mon, 02 Jan 2006 15:04:05 -0700')")
        .option("--key-size <bits>", "RSA size of new keys", "4096")
        .option("--key-ttl <duration>", "validity of new certificates", "87600h")
        .option("--my-cn <name>", "common name of new certificates", "")
        .option("--key-prefix <prefix>", "generateName of new key Secrets", "sealed-secrets-key")
        .option("--privatekey-labels <k=v,...>", "extra labels on new key Secrets", "")
        .option("--privatekey-annotations <k=v,...>", "extra annotations on new key Secrets", "")
        .option("--wrap-private-keys-with <key>", "store new private keys wrapped by a provider key: age1…, a KMS key ARN, or a Vault transit key URL")
        .option("--wrap-existing-keys", "with --wrap-private-keys-with: wrap existing plain key Secrets in place at start", false)
        .option("--rate-limit <n>", "/v1/verify requests per second per client", "2")
        .option("--rate-limit-burst <n>", "/v1/verify burst", "2")
        .option("--max-unseal-retries <n>", "retries of a failed Secret update", "5")
        .option("--update-status [bool]", "write the SealedSecret status", "true")
        .option("--skip-recreate", "do not watch produced Secrets (no repair of deleted or edited Secrets)", false)
        .option("--accept-deprecated-v1-data [bool]", "accept the deprecated spec.data format", "true")
        .option("--resync-period <duration>", "re-check every SealedSecret this often (no private-key work when nothing changed); 0 = never", "0")
        .option("--external-secrets-controller-class <class>", "externalsecrets: the stores (spec.controller) this operator takes; stores without a class are taken too", "default")
        .option("--external-secrets-refresh-jitter <fraction>", "externalsecrets: up to this fraction of refreshInterval is added at random to each periodic refresh; refreshes overdue at start are spread over this fraction (at most 60s)", "0.1")
        .option("--rollout-reloader-annotation [bool]", "rollout: also roll workloads annotated secret.reloader.stakater.com/reload (leave off where Reloader runs)", "false")
        .option("--default-service-account <name>", "syncs: impersonate this ServiceAccount (of the Sync's namespace) for Syncs that name no spec.serviceAccountName; makes impersonation mandatory")
        .option("--no-cross-namespace-refs [bool]", "syncs: refuse a Sync whose sourceRef names a GitSource in another namespace", "false")
        .option("--log-level <level>", "debug, info, warn or error", "info")
        .action(async (raw: Record<string, unknown>) => {
          await run(normalize(raw), ctx, full);
        });
    },
  };
}

/** Optional-value flags arrive as `true` when given bare. */
function normalize(raw: Record<string, unknown>): OperatorFlags {
  const out: Record<string, unknown> = { ...raw };
  for (const key of ["allNamespaces", "updateStatus", "acceptDeprecatedV1Data"]) if (out[key] === true) out[key] = "true";
  return out as unknown as OperatorFlags;
}

/** `sigil operator`, stopped by SIGTERM/SIGINT. */
export const OPERATOR_COMMAND: CommandModule = createOperatorCommand();
