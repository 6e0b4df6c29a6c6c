/** The work of `sigil sync --once`: build the reconciler's inputs from flags and environment, run it, store the inventory, print. */
import { homedir } from "node:os";
import { resolve } from "node:path";
import { SigilError } from "../../../core/index.js";
import { sopsDecryptor } from "../../../decrypt/index.js";
import { buildProviderRegistry } from "../../../providers/index.js";
import { HttpKubeClient, ResourceManager, loadKubeConfig } from "../../../kube/index.js";
import type { KubeClient } from "../../../kube/index.js";
import { defaultSourceOptions, fetchSource, loadSealingKeys, parseGoDuration, reconcile } from "../../../reconcile/index.js";
import type { Artifact, GitCredentials, ReconcileResult, SyncPlan } from "../../../reconcile/index.js";
import type { CliContext } from "../../context.js";
import { GIT_PASSTHROUGH_ENV, SIGIL_GIT_BEARER_TOKEN_ENV, SIGIL_GIT_PASSWORD_ENV, SIGIL_GIT_USERNAME_ENV, SIGIL_KUSTOMIZE_ENV, localSource, parseRef, sealedMode } from "./options.js";
import type { SyncFlags } from "./options.js";
import { changeLines, countLine, hasDrift } from "./output.js";
import { inventoryName, loadInventory, sameInventory, saveInventory } from "./store.js";

function credentials(env: CliContext["env"]): GitCredentials | undefined {
  const username = env[SIGIL_GIT_USERNAME_ENV];
  const password = env[SIGIL_GIT_PASSWORD_ENV];
  const bearerToken = env[SIGIL_GIT_BEARER_TOKEN_ENV];
  if (bearerToken !== undefined) return { bearerToken };
  if (username !== undefined && password !== undefined) return { username, password };
  return undefined;
}

function sourceStep(flags: SyncFlags, ctx: CliContext, timeoutMs: number): { id: string; fetch: () => Promise<Artifact> } {
  const dir = localSource(ctx.cwd, flags.source);
  if (dir !== undefined) return { id: dir, fetch: () => Promise.resolve({ url: dir, revision: `dir:${dir}`, commit: "", dir, cached: true }) };
  const base = defaultSourceOptions();
  const env: Record<string, string> = { ...base.env };
  for (const name of GIT_PASSTHROUGH_ENV) {
    const v = ctx.env[name];
    if (v !== undefined) env[name] = v;
  }
  const ref = parseRef(flags.ref);
  return { id: flags.source, fetch: () => fetchSource({ url: flags.source, ref, credentials: credentials(ctx.env), timeoutMs }, { env, logger: ctx.logger }) };
}

function plan(flags: SyncFlags, owner: string, timeoutMs: number): SyncPlan {
  return {
    path: flags.path, targetNamespace: undefined, defaultNamespace: flags.namespace, prune: flags.prune === true, allowEmpty: flags.allowEmpty === true,
    force: flags.force === true, wait: flags.wait === true, healthChecks: [], timeoutMs, sealedSecrets: sealedMode(flags.sealedSecrets), dryRun: flags.dryRun === true,
    owner: { name: owner, namespace: flags.namespace },
  };
}

async function client(flags: SyncFlags, ctx: CliContext): Promise<KubeClient> {
  const path = flags.kubeconfig === undefined ? undefined : resolve(ctx.cwd, flags.kubeconfig);
  const kube = await loadKubeConfig({ path, env: ctx.env, homedir: ctx.env["HOME"] ?? homedir() });
  return new HttpKubeClient(kube.connection);
}

function report(result: ReconcileResult, flags: SyncFlags, ctx: CliContext): void {
  for (const line of changeLines(result.changes)) ctx.stdout.write(`${line}\n`);
  for (const h of result.hooks ?? []) ctx.stdout.write(`${h.phase} hook ${h.subject} ${h.outcome}${h.reason === undefined ? "" : ` (${h.reason})`}${h.deleted ? ", deleted" : ""}\n`);
  const verb = flags.dryRun === true ? "would apply" : "applied";
  if (result.ok) ctx.stdout.write(`${verb} ${result.revision ?? ""}: ${countLine(result.changes)}\n`);
}

/**
 * Run one sync.
 * @throws SigilError the reconcile's error (after printing what was done), or `sync.drift_found` under `--dry-run` when the cluster differs.
 */
export async function runSync(flags: SyncFlags, ctx: CliContext): Promise<void> {
  if (flags.once !== true) throw new SigilError("input.invalid", "sigil sync runs once (--once); run `sigil operator` with Sync objects for continuous reconciliation");
  const timeoutMs = parseGoDuration(flags.timeout, "--timeout");
  const kube = await client(flags, ctx);
  const source = sourceStep(flags, ctx, timeoutMs);
  const name = inventoryName(source.id, flags.path);
  const previous = await loadInventory(kube, flags.namespace, name);
  const registry = buildProviderRegistry(ctx.env);
  const result = await reconcile(plan(flags, name, timeoutMs), previous, {
    source: source.fetch,
    manager: new ResourceManager({ client: kube }),
    render: { kustomizeBin: flags.kustomize ?? ctx.env[SIGIL_KUSTOMIZE_ENV] ?? "kustomize", timeoutMs, sops: sopsDecryptor({ registry }) },
    decrypt: { sops: sopsDecryptor({ registry }), sealingKeys: () => loadSealingKeys(kube, flags.controllerNamespace, registry) },
  });
  report(result, flags, ctx);
  // Written only when it changed: a re-sync of an unchanged revision writes nothing at all.
  if (flags.dryRun !== true && !sameInventory(result.inventory, previous)) await saveInventory(kube, flags.namespace, name, result.inventory);
  if (!result.ok) throw result.error ?? new SigilError("internal", "the sync failed");
  if (flags.dryRun === true && hasDrift(result.changes)) throw new SigilError("sync.drift_found", `the cluster differs from the source: ${countLine(result.changes)}`, { subject: flags.path });
}
