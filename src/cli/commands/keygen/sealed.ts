/**
 * `sigil keygen sealed`: a sealing key pair as bitnami's controller makes
 * one (RSA-4096, self-signed certificate), written as `tls.crt` + `tls.key`
 * and optionally as a key Secret manifest. With `--wrap-with`, the private
 * key is only written wrapped by a key provider, inside the key Secret.
 * With `--from-key`, an existing key (PEM or key Secret backup) is used
 * instead of a new one: that is how a plain key is migrated to a wrapped one.
 */
import type { Command } from "commander";
import { SigilError, escapeControlChars } from "../../../core/index.js";
import {
  buildKeySecret,
  formatObject,
  generateSealingKeyPair,
  parseWrapRef,
  readKeyFile,
  selfSignCertificate,
  wrapKeySecret,
} from "../../../decrypt/sealed-secrets/index.js";
import type { KeyPairPem, SecretObject } from "../../../decrypt/sealed-secrets/index.js";
import type { CliContext } from "../../context.js";
import { buildProviderRegistry } from "../../../providers/index.js";
import { optionalPath, outputFormat, readUserFile, userPath } from "../seal/io.js";
import { checkKeyFiles, parsePositiveDuration, writeKeyFiles } from "./files.js";
import type { KeyFile } from "./files.js";

interface SealedKeygenFlags {
  keySize: string;
  keyTtl: string;
  myCn: string;
  certOut: string;
  keyOut?: string;
  secretOut?: string;
  namespace: string;
  wrapWith?: string;
  fromKey?: string;
  force: boolean;
}

async function keyPair(flags: SealedKeygenFlags, ctx: CliContext): Promise<KeyPairPem> {
  const validForMs = parsePositiveDuration(flags.keyTtl, "--key-ttl");
  if (flags.fromKey === undefined) {
    const keySize = Number(flags.keySize);
    if (!Number.isInteger(keySize) || keySize < 2048) throw new SigilError("input.invalid", "--key-size must be an integer of at least 2048");
    const pair = await generateSealingKeyPair({ keySize, validForMs, commonName: flags.myCn });
    return { privateKeyPem: pair.privateKeyPem, certificatePem: pair.certificate.pem };
  }
  const text = (await readUserFile(flags.fromKey, "--from-key")).toString("utf8");
  const [key, ...rest] = await readKeyFile(text, flags.fromKey, buildProviderRegistry(ctx.env));
  if (key === undefined || rest.length > 0) throw new SigilError("input.invalid", "--from-key needs a file with exactly one private key", { subject: flags.fromKey });
  return {
    privateKeyPem: key.privateKey.export({ format: "pem", type: "pkcs1" }).toString(),
    certificatePem: key.certificate?.pem ?? selfSignCertificate(key.privateKey, { validForMs, commonName: flags.myCn }),
  };
}

/** The files `keygen sealed` writes: the certificate, the private key (unless wrapped), and the key Secret (when asked, or when wrapping). */
function keyFilePaths(flags: SealedKeygenFlags, ctx: CliContext): { cert: string; key: string | undefined; secret: string | undefined } {
  const wrapping = flags.wrapWith !== undefined && flags.wrapWith !== "";
  return {
    cert: flags.certOut,
    key: wrapping ? undefined : (flags.keyOut ?? userPath(ctx, "tls.key")),
    secret: flags.secretOut ?? (wrapping ? userPath(ctx, "sealed-secrets-key.yaml") : undefined),
  };
}

async function run(flags: SealedKeygenFlags, ctx: CliContext): Promise<void> {
  const wrapping = flags.wrapWith !== undefined && flags.wrapWith !== "";
  if (wrapping && flags.keyOut !== undefined) throw new SigilError("input.conflicting_flags", "--key-out cannot be used with --wrap-with: the private key is never written in the clear");
  const ref = wrapping ? parseWrapRef(flags.wrapWith ?? "") : undefined;
  const paths = keyFilePaths(flags, ctx);
  // Every target is checked before a key is generated or anything is written.
  await checkKeyFiles([paths.cert, paths.key, paths.secret].filter((p) => p !== undefined), flags.force);
  const pair = await keyPair(flags, ctx);
  let secret: SecretObject = buildKeySecret(pair, { namespace: flags.namespace });
  if (ref !== undefined) secret = await wrapKeySecret(secret, ref, buildProviderRegistry(ctx.env));
  const files: KeyFile[] = [{ path: paths.cert, content: pair.certificatePem, private: false }];
  if (paths.key !== undefined) files.push({ path: paths.key, content: pair.privateKeyPem, private: true });
  if (paths.secret !== undefined) files.push({ path: paths.secret, content: formatObject(secret, outputFormat("yaml", paths.secret)), private: !wrapping });
  await writeKeyFiles(ctx, files, flags.force);
  ctx.stderr.write(`wrote ${escapeControlChars(files.map((f) => f.path).join(", "))}\n`);
}

/** Attach `keygen sealed` to the `keygen` command. */
export function registerSealedKeygen(parent: Command, ctx: CliContext): void {
  parent
    .command("sealed")
    .description("generate a sealing key pair (RSA-4096, self-signed certificate) as bitnami's controller does")
    .option("--key-size <bits>", "RSA key size", "4096")
    .option("--key-ttl <duration>", "certificate validity", "87600h")
    .option("--my-cn <name>", "certificate common name", "")
    .option("--cert-out <file>", "certificate file", "tls.crt")
    .option("--key-out <file>", "private key file (PKCS#1 PEM; default tls.key; not with --wrap-with)")
    .option("--secret-out <file>", "also write the key Secret manifest (.json for json; default sealed-secrets-key.yaml with --wrap-with)")
    .option("-n, --namespace <namespace>", "namespace of the key Secret (the controller's namespace)", "kube-system")
    .option("--wrap-with <key>", "wrap the private key with a provider key: age1…, a KMS key ARN, or a Vault transit key URL")
    .option("--from-key <file>", "use an existing private key (PEM or key Secret backup) instead of generating one")
    .option("--force", "overwrite existing files", false)
    .action(async (flags: SealedKeygenFlags) => {
      const paths: SealedKeygenFlags = { ...flags, certOut: userPath(ctx, flags.certOut), keyOut: userPath(ctx, flags.keyOut ?? "tls.key") };
      if (flags.keyOut === undefined) delete paths.keyOut;
      for (const key of ["secretOut", "fromKey"] as const) {
        const value = optionalPath(ctx, flags[key]);
        if (value !== undefined) paths[key] = value;
      }
      await run(paths, ctx);
    });
}
