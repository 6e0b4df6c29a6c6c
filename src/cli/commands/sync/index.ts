/**
 * `sigil sync --once --source URL|DIR [--ref R] --path P …`: the reconciler's
 * pipeline, once, from the command line, with no CRDs or operator installed
 * (docs/cli/sync.md). Prints the change set, never a value.
 */
import type { Command } from "commander";
import type { CliContext } from "../../context.js";
import type { CommandModule } from "../index.js";
import type { SyncFlags } from "./options.js";
import { runSync } from "./run.js";

export const SYNC_COMMAND: CommandModule = {
  name: "sync",
  register(program: Command, ctx: CliContext): void {
    program
      .command("sync")
      .description("apply a path of a Git repository or directory to the cluster once: render, decrypt, server-side apply, prune")
      .option("--once", "run one reconcile and exit (required)")
      .requiredOption("--source <url|dir>", "Git URL (https://, ssh://, user@host:path, file://) or a local directory")
      .option("--ref <ref>", "branch NAME, tag:NAME, semver:RANGE, commit:SHA (or a bare 40-hex SHA); default the remote's default branch")
      .option("--path <path>", "directory in the source to render", "./")
      .option("--kubeconfig <file>", "kubeconfig (default $KUBECONFIG, then ~/.kube/config)")
      .option("-n, --namespace <ns>", "namespace for objects that name none, and for the inventory ConfigMap", "default")
      .option("--prune", "delete objects this sync applied before and that left the source")
      .option("--allow-empty", "let an empty render prune everything in the inventory")
      .option("--dry-run", "print what would change and write nothing; exit 4 when anything would")
      .option("--force", "recreate objects whose immutable fields change")
      .option("--wait", "wait for the applied objects to be ready")
      .option("--timeout <duration>", "limit for fetch, render, apply and wait (Go duration)", "5m")
      .option("--sealed-secrets <mode>", "controller: apply SealedSecrets for the controller; inline: unseal them with the cluster's sealing keys", "controller")
      .option("--controller-namespace <ns>", "where the sealing keys are (for --sealed-secrets inline)", "kube-system")
      .option("--kustomize <path>", "the kustomize binary (default $SIGIL_KUSTOMIZE, then kustomize on PATH)")
      .action(async (flags: SyncFlags) => {
        await runSync(flags, ctx);
      });
  },
};
