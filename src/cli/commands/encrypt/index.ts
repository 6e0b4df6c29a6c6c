/**
 * `sigil encrypt`: sops' `encrypt` with the same flags and environment
 * variables (docs/cli/sops.md). Honours `.sops.yaml` creation rules.
 */
import type { Command } from "commander";
import { encryptFile } from "../../../decrypt/index.js";
import type { CliContext } from "../../context.js";
import { buildProviderRegistry } from "../../../providers/index.js";
import { SigilError } from "../../../core/index.js";
import { formatsFor, readInput, writeResult } from "../decrypt/io.js";
import type { IoFlags } from "../decrypt/io.js";
import { addMaxInputSizeOption, maxInputBytes } from "../decrypt/size.js";
import type { SizeFlags } from "../decrypt/size.js";
import type { CommandModule } from "../index.js";
import { storeOptionsOf } from "./config.js";
import { addSopsGlobalOptions, encryptSettings } from "./keys.js";
import type { KeyFlags } from "./keys.js";

export { SOPS_AGE_RECIPIENTS_ENV, SOPS_CONFIG_ENV, SOPS_DECRYPTION_ORDER_ENV, SOPS_KMS_ARN_ENV, SOPS_VAULT_URIS_ENV } from "./keys.js";
export { SIGIL_SOPS_MAX_INPUT_BYTES_ENV, parseByteSize } from "../decrypt/size.js";

type EncryptFlags = KeyFlags & IoFlags & SizeFlags & { readonly indent?: string | undefined };

/** Add the flags `encrypt` shares with sops. */
export function defineEncryptOptions(cmd: Command): Command {
  return cmd
    .option("--age <recipients>", "age recipients, comma separated (env SOPS_AGE_RECIPIENTS)")
    .option("-k, --kms <arns>", "AWS KMS key ARNs, comma separated, each optionally arn+role (env SOPS_KMS_ARN)")
    .option("--hc-vault-transit <uris>", "Vault transit key URIs, comma separated (env SOPS_VAULT_URIS)")
    .option("--encryption-context <k:v,...>", "KMS encryption context, comma separated key:value pairs")
    .option("--aws-profile <profile>", "AWS profile for the KMS keys")
    .option("-p, --pgp <fingerprints>", "not supported by sigil")
    .option("--gcp-kms <ids>", "not supported by sigil")
    .option("--azure-kv <urls>", "not supported by sigil")
    .option("--shamir-secret-sharing-threshold <n>", "number of key groups needed to decrypt")
    .option("--unencrypted-suffix <suffix>", "leave values whose key (or an ancestor's) ends with this in clear (default _unencrypted)")
    .option("--encrypted-suffix <suffix>", "encrypt only values whose key (or an ancestor's) ends with this")
    .option("--unencrypted-regex <regex>", "leave values whose key matches in clear")
    .option("--encrypted-regex <regex>", "encrypt only values whose key matches")
    .option("--unencrypted-comment-regex <regex>", "leave values after a matching comment in clear")
    .option("--encrypted-comment-regex <regex>", "encrypt only values after a matching comment")
    .option("--mac-only-encrypted", "compute the MAC over encrypted values only")
    .option("--input-type <type>", "input format: yaml, json, dotenv, ini or binary (default: by extension)")
    .option("--output-type <type>", "output format (default: the input format)")
    .option("-i, --in-place", "replace the file (atomically) instead of printing")
    .option("--output <file>", "write to this file (atomically) instead of stdout")
    .option("--filename-override <name>", "use this name for the format and the creation rules (useful with stdin)")
    .option("--indent <n>", "indentation for YAML and JSON output")
    .option("--config <file>", "path of .sops.yaml (env SOPS_CONFIG; default: searched from the working directory up)");
}

/** @throws SigilError `input.invalid` for an indent that is not a whole number. */
function storeIndent(indent: string | undefined, output: string): { yamlIndent?: number; jsonIndent?: number; jsonBinaryIndent?: number } {
  if (indent === undefined) return {};
  if (!/^-?\d+$/.test(indent)) throw new SigilError("input.invalid", `--indent must be a whole number, got '${indent}'`);
  const n = Number(indent);
  if (output === "binary") return { jsonBinaryIndent: n };
  return output === "json" ? { jsonIndent: n } : { yamlIndent: n };
}

async function runEncrypt(ctx: CliContext, file: string | undefined, flags: EncryptFlags): Promise<void> {
  const limit = maxInputBytes(ctx, flags);
  const input = await readInput(ctx, file, flags, limit);
  const formats = formatsFor(input, flags);
  const settings = await encryptSettings(ctx, flags, input.name);
  const encrypted = await encryptFile(input.bytes, {
    registry: buildProviderRegistry(ctx.env),
    path: input.path ?? input.name,
    format: formats.input,
    outputFormat: formats.output,
    maxInputBytes: limit,
    store: { ...storeOptionsOf(settings.config), ...storeIndent(flags.indent, formats.output) },
    keyGroups: settings.keyGroups,
    shamirThreshold: settings.shamirThreshold,
    rules: settings.rules,
    macOnlyEncrypted: settings.macOnlyEncrypted,
    logger: ctx.logger,
  });
  await writeResult(ctx, input, flags, encrypted);
}

export const ENCRYPT_COMMAND: CommandModule = {
  name: "encrypt",
  register(program: Command, ctx: CliContext): void {
    addSopsGlobalOptions(program);
    const cmd = addMaxInputSizeOption(defineEncryptOptions(program.command("encrypt").description("encrypt a file (sops-compatible)").argument("[file]", "file to encrypt (- or none: stdin)")));
    cmd.action(async (file: string | undefined) => {
      await runEncrypt(ctx, file, cmd.optsWithGlobals<EncryptFlags>());
    });
  },
};
