/**
 * `sigil seal`: kubeseal's flags and behaviour (docs/cli/seal.md). Every
 * flag can also come from a `SEALED_SECRETS_<FLAG>` environment variable.
 */
import { Command, Option } from "commander";
import { SigilError } from "../../../core/index.js";
import { sealingCertificate } from "../../../decrypt/sealed-secrets/index.js";
import type { CliContext } from "../../context.js";
import { buildProviderRegistry } from "../../../providers/index.js";
import type { CommandModule } from "../index.js";
import { loadKeyFiles, unsealToOutput } from "../unseal/recovery.js";
import { reEncryptSealedSecrets, validateSealedSecrets } from "./controller-actions.js";
import { nodeHttpClient } from "./http.js";
import { PLAINTEXT_FILE_MODE, openOutput, optionalPath, outputFormat, userPath } from "./io.js";
import type { Output } from "./io.js";
import { applyEnvFlags, collect } from "./options.js";
import type { SealFlags } from "./options.js";
import { sealMergingInto, sealRawToOutput, sealToOutput } from "./seal-actions.js";
import { controllerFor, openCertificate } from "./sources.js";
import type { SealDeps } from "./sources.js";

export type { SealDeps } from "./sources.js";
export { SEALED_SECRETS_ENV_PREFIX } from "./options.js";

/** The real dependencies: node's HTTP client and clock. */
export function defaultSealDeps(): SealDeps {
  return { http: nodeHttpClient(), now: () => new Date() };
}

function defineOptions(cmd: Command): Command {
  return cmd
    .option("--cert <file|url>", "certificate / public key file or URL to seal with (overrides --controller-*)")
    .option("--controller-namespace <namespace>", "namespace of the sealed-secrets controller", "kube-system")
    .option("--controller-name <name>", "name of the sealed-secrets controller service", "sealed-secrets-controller")
    .option("--controller-url <url>", "talk to the controller at this address instead of through the API server (Sigil)")
    .option("-o, --format <format>", "output format: json or yaml (default json)")
    .option("-w, --sealed-secret-file <file>", "write the output to this file (replaced only on success; .yaml/.yml forces yaml)")
    .option("-f, --secret-file <file>", "read the input from this file instead of stdin")
    .option("--fetch-cert", "write the controller's certificate to stdout", false)
    .option("--allow-empty-data", "allow a Secret with no data", false)
    .option("--validate", "ask the controller whether it can unseal the input SealedSecrets", false)
    .option("--merge-into <file>", "merge the sealed items into this SealedSecret file, in place")
    .option("--raw", "seal one raw value from stdin or --from-file", false)
    .option("--name <name>", "name of the SealedSecret (required with --raw and strict scope)")
    .option("-n, --namespace <namespace>", "namespace (default: from the kubeconfig context)")
    .option("--from-file <[name=]path>", "with --raw: read the value from this file", collect, [])
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .option("--scope <scope>", "strict, namespace-wide or cluster-wide (default: from the Secret's annotations, else strict)")
    .option("--re-encrypt", "re-seal the input SealedSecrets with the controller's newest key", false)
    .addOption(new Option("--rotate", "deprecated alias of --re-encrypt").default(false).hideHelp())
    .option("--recovery-unseal", "unseal the input offline with --recovery-private-key (same as `sigil unseal`)", false)
    .option("--recovery-private-key <files>", "private key files (PEM or key Secret backups), comma separated or repeated", collect, [])
    .option("--max-input-size <size>", "refuse a Secret input larger than this, e.g. 16MiB (Sigil; default 8MiB; SealedSecret input: 32MiB)");
}

/** `sigil seal` with the given dependencies. */
export function sealCommand(deps: SealDeps = defaultSealDeps()): CommandModule {
  return {
    name: "seal",
    register(program: Command, ctx: CliContext): void {
      const cmd = defineOptions(program.command("seal").description("seal a Secret for a sealed-secrets controller (kubeseal-compatible)"));
      cmd.action(async () => {
        applyEnvFlags(cmd, ctx.env);
        await runSeal(withPaths(cmd.opts<SealFlags>(), ctx), ctx, deps);
      });
    },
  };
}

/** Resolve every file flag against the command's working directory. */
function withPaths(flags: SealFlags, ctx: CliContext): SealFlags {
  const out: SealFlags = { ...flags };
  for (const key of ["secretFile", "sealedSecretFile", "mergeInto", "kubeconfig"] as const) {
    const value = optionalPath(ctx, flags[key]);
    if (value !== undefined) out[key] = value;
  }
  if (flags.cert !== undefined && !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(flags.cert)) out.cert = userPath(ctx, flags.cert);
  out.fromFile = flags.fromFile.map((f) => (f.includes("=") ? `${f.slice(0, f.indexOf("=") + 1)}${userPath(ctx, f.slice(f.indexOf("=") + 1))}` : userPath(ctx, f)));
  out.recoveryPrivateKey = flags.recoveryPrivateKey.map((f) => userPath(ctx, f));
  return out;
}

async function runSeal(flags: SealFlags, ctx: CliContext, deps: SealDeps): Promise<void> {
  if (flags.fromFile.length > 0 && !flags.raw) throw new SigilError("input.invalid", "--from-file requires --raw");
  const reEncrypt = flags.reEncrypt || flags.rotate;
  const target = reEncrypt && flags.sealedSecretFile === undefined ? flags.secretFile : flags.sealedSecretFile;
  const format = outputFormat(flags.format, target);
  if (flags.mergeInto !== undefined && flags.mergeInto !== "" && flags.sealedSecretFile !== undefined && flags.sealedSecretFile !== "") {
    throw new SigilError("input.conflicting_flags", "cannot use --merge-into and -w/--sealed-secret-file together: --merge-into rewrites its own file");
  }
  const out = await openOutput(ctx, target, flags.recoveryUnseal ? PLAINTEXT_FILE_MODE : undefined);
  if (flags.recoveryUnseal) {
    await unsealToOutput(ctx, flags.secretFile, await loadKeyFiles(flags.recoveryPrivateKey, buildProviderRegistry(ctx.env)), format, out);
  } else if (flags.validate) {
    await validateSealedSecrets(ctx, flags.secretFile, await controllerFor(flags, ctx, deps));
  } else if (reEncrypt) {
    await reEncryptSealedSecrets(ctx, flags.secretFile, await controllerFor(flags, ctx, deps), format, out);
  } else {
    await sealWithCertificate(flags, ctx, deps, format, out);
  }
  await out.commit();
}

async function sealWithCertificate(flags: SealFlags, ctx: CliContext, deps: SealDeps, format: ReturnType<typeof outputFormat>, out: Output): Promise<void> {
  const cert = await openCertificate(flags, ctx, deps);
  if (flags.fetchCert) {
    out.write(cert.pem);
    return;
  }
  const { publicKey } = sealingCertificate(cert.pem, cert.source, deps.now());
  if (flags.mergeInto !== undefined && flags.mergeInto !== "") await sealMergingInto(flags, ctx, publicKey, flags.mergeInto);
  else if (flags.raw) await sealRawToOutput(flags, ctx, publicKey, out);
  else await sealToOutput(flags, ctx, publicKey, format, out);
}

/** `sigil seal` with the real dependencies. */
export const SEAL_COMMAND: CommandModule = sealCommand();
