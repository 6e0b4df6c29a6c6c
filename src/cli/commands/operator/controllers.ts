/**
 * The controllers `sigil operator` can run, by name, and how each is built
 * from the command's flags. Adding a controller is one entry here (its
 * flags go in `flags.ts`, its code in `src/operator/<name>/`).
 */
import { SigilError } from "../../../core/index.js";
import type { Logger } from "../../../core/index.js";
import type { KubeClient } from "../../../kube/index.js";
import type { Controller } from "../../../kube/runtime/index.js";
import { SEALED_SECRETS_CONTROLLER, SealedSecretsController } from "../../../operator/index.js";
import type { ProviderRegistry } from "../../../providers/index.js";
import type { CliContext } from "../../context.js";
import { ClusterExternalSecretsController, ExternalSecretsController, ROLLOUT_CONTROLLER, RolloutController } from "../../../operator/index.js";
import { controllerOptions, keyNamespace, parseBool } from "./flags.js";
import { gitopsControllers } from "./gitops.js";
import { receiversController } from "./webhooks.js";
import type { OperatorFlags } from "./flags.js";

/** What a controller is built from. */
export interface ControllerSetup {
  readonly flags: OperatorFlags;
  readonly ctx: CliContext;
  readonly client: KubeClient;
  readonly logger: Logger;
  /** Key providers configured from the environment. */
  readonly providers: ProviderRegistry;
}

/** One controller `--controllers` can name. */
export interface ControllerEntry {
  readonly name: string;
  readonly summary: string;
  /** @throws SigilError `input.invalid` (or a provider code) for a bad flag of this controller. */
  create(setup: ControllerSetup): Controller;
  /** Run when `--controllers` is not given (default true). */
  readonly byDefault?: boolean;
}

/** Every controller, in start order. */
export const CONTROLLERS: readonly ControllerEntry[] = [
  {
    name: SEALED_SECRETS_CONTROLLER,
    summary: "bitnami-compatible SealedSecrets, with drift repair and provider-wrapped keys",
    create: ({ flags, ctx, client, logger, providers }) => new SealedSecretsController(client, { ...controllerOptions(flags, keyNamespace(flags.namespace, ctx.env)), providers, logger }),
  },
  {
    name: "externalsecrets",
    summary: "external-secrets.io/v1 ExternalSecrets from Vault/OpenBao stores, ESO-compatible, with drift repair and no refresh storms",
    create: ({ flags }) => new ExternalSecretsController({ controllerClass: flags.externalSecretsControllerClass, refreshJitter: refreshJitter(flags.externalSecretsRefreshJitter) }),
  },
  {
    name: "clusterexternalsecrets",
    summary: "external-secrets.io/v1 ClusterExternalSecrets: an ExternalSecret in each selected namespace, as ESO creates them",
    create: () => new ClusterExternalSecretsController(),
  },
  {
    name: ROLLOUT_CONTROLLER,
    summary: "rolls Deployments, StatefulSets and DaemonSets annotated sigil.dev/rollout-on-secret-change when those Secrets' content changes (opt-in)",
    create: ({ flags }) => new RolloutController({ reloaderAnnotation: parseBool(flags.rolloutReloaderAnnotation, "--rollout-reloader-annotation") }),
    byDefault: false,
  },
  ...gitopsControllers(),
  receiversController,
];

/**
 * A jitter fraction in [0, 1].
 * @throws SigilError `input.invalid` naming the flag.
 */
export function refreshJitter(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new SigilError("input.invalid", `--external-secrets-refresh-jitter: '${text.slice(0, 20)}' is not a fraction between 0 and 1`, { subject: "--external-secrets-refresh-jitter" });
  return n;
}

/** The default of `--controllers`: every controller not marked `byDefault: false` (the GitOps ones need their CRDs, and `rollout` patches workloads, so they are opt-in). */
export const DEFAULT_CONTROLLERS = CONTROLLERS.filter((c) => c.byDefault !== false).map((c) => c.name).join(",");

/**
 * The entries named in `list` (comma-separated, in the registry's order, duplicates ignored).
 * @throws SigilError `operator.unknown_controller` naming the unknown name and the known ones; `input.invalid` for an empty list.
 */
export function selectControllers(list: string, known: readonly ControllerEntry[] = CONTROLLERS): ControllerEntry[] {
  const names = list.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) throw new SigilError("input.invalid", "--controllers names no controller", { subject: "--controllers" });
  const unknown = names.filter((n) => !known.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw new SigilError("operator.unknown_controller", `--controllers: unknown controller '${unknown.join("', '")}' (known: ${known.map((c) => c.name).join(", ")})`, { subject: "--controllers" });
  }
  return known.filter((c) => names.includes(c.name));
}
