/**
 * The `gitsources` and `syncs` controllers' entries for `--controllers`
 * (opt-in: `--controllers sealedsecrets,gitsources,syncs`). They share one
 * in-process artifact store, so they are built together.
 */
import type { Controller } from "../../../kube/runtime/index.js";
import { ArtifactStore, GITSOURCES_CONTROLLER, SYNCS_CONTROLLER, SyncController, gitSourceController } from "../../../operator/gitops/index.js";
import type { ControllerEntry, ControllerSetup } from "./controllers.js";
import { keyNamespace, noCrossNamespaceRefs } from "./flags.js";
import { ProviderRegistry, buildProviderRegistryFromSecret } from "../../../providers/index.js";

/** The kustomize binary the Sync controller runs. */
export const SIGIL_KUSTOMIZE_ENV = "SIGIL_KUSTOMIZE";

let store: ArtifactStore | undefined;

function shared(): ArtifactStore {
  return (store ??= new ArtifactStore());
}

/** Both entries; a fresh store per `sigil operator` run. */
export function gitopsControllers(): ControllerEntry[] {
  return [
    {
      name: GITSOURCES_CONTROLLER,
      summary: "fetch GitSources (gitops.sigil.dev) over HTTPS, SSH and file://",
      byDefault: false,
      create: ({ client, logger }: ControllerSetup): Controller => gitSourceController({ client, store: shared(), source: {}, logger, now: () => new Date() }),
    },
    {
      name: SYNCS_CONTROLLER,
      summary: "apply Syncs (gitops.sigil.dev): render, decrypt, server-side apply, prune, drift correction",
      byDefault: false,
      create: ({ flags, ctx, client, logger }: ControllerSetup): Controller => {
        const created = new SyncController({
          client, store: shared(), logger, now: () => new Date(), kustomizeBin: ctx.env[SIGIL_KUSTOMIZE_ENV] ?? "kustomize",
          defaultServiceAccount: flags.defaultServiceAccount === "" ? undefined : flags.defaultServiceAccount, noCrossNamespaceRefs: noCrossNamespaceRefs(flags),
          sealingKeyNamespace: keyNamespace(flags.namespace, ctx.env), providersFor: (secret) => (secret === undefined ? new ProviderRegistry() : buildProviderRegistryFromSecret(secret, { env: ctx.env })),
        });
        store = undefined; // the next run of the operator gets its own store
        return created;
      },
    },
  ];
}
