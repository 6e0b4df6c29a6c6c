/**
 * `sigil decrypt`: sops' `decrypt` (`sops -d`) with the same flags
 * (docs/cli/sops.md). The MAC is verified before anything is printed.
 */
import type { Command } from "commander";
import { SigilError } from "../../../core/index.js";
import { KEY_TYPES, decryptFile } from "../../../decrypt/index.js";
import type { KeyType } from "../../../decrypt/index.js";
import type { CliContext } from "../../context.js";
import { buildProviderRegistry } from "../../keys-from-env.js";
import type { CommandModule } from "../index.js";
import { loadCliSopsConfig, storeOptionsOf } from "../encrypt/config.js";
import { SOPS_DECRYPTION_ORDER_ENV, addSopsGlobalOptions } from "../encrypt/keys.js";
import { extract, parseTreePath } from "./extract.js";
import { formatsFor, readInput, writeResult } from "./io.js";
import type { IoFlags } from "./io.js";
import { addMaxInputSizeOption, maxInputBytes } from "./size.js";
import type { SizeFlags } from "./size.js";

type DecryptFlags = IoFlags & SizeFlags & {
  readonly config?: string | undefined;
  readonly extract?: string | undefined;
  readonly ignoreMac?: boolean | undefined;
  readonly decryptionOrder?: string | undefined;
};

/**
 * The decryption order from `--decryption-order` / `SOPS_DECRYPTION_ORDER`.
 * @throws SigilError `input.invalid` for an unknown or repeated key type.
 */
export function decryptionOrder(ctx: CliContext, flag: string | undefined): KeyType[] | undefined {
  const raw = flag ?? ctx.env[SOPS_DECRYPTION_ORDER_ENV];
  if (raw === undefined || raw === "") return undefined;
  const names = raw.split(",").map((n) => n.trim()).filter((n) => n !== "");
  for (const n of names) {
    if (!(KEY_TYPES as readonly string[]).includes(n)) throw new SigilError("input.invalid", `unknown key type '${n}' in the decryption order (use ${KEY_TYPES.join(", ")})`);
  }
  if (new Set(names).size !== names.length) throw new SigilError("input.invalid", "the decryption order names a key type twice");
  return names as KeyType[];
}

async function runDecrypt(ctx: CliContext, file: string | undefined, flags: DecryptFlags): Promise<void> {
  const limit = maxInputBytes(ctx, flags);
  const input = await readInput(ctx, file, flags, limit);
  const formats = formatsFor(input, flags);
  const path = flags.extract === undefined ? undefined : parseTreePath(flags.extract);
  const order = decryptionOrder(ctx, flags.decryptionOrder);
  // sops reads .sops.yaml here too, for the stores' indentation of the output.
  const config = await loadCliSopsConfig(ctx, flags.config);
  const result = await decryptFile(input.bytes, {
    registry: buildProviderRegistry(ctx.env),
    path: input.path ?? input.name,
    format: formats.input,
    outputFormat: formats.output,
    maxInputBytes: limit,
    store: storeOptionsOf(config),
    dangerouslySkipMacCheck: flags.ignoreMac === true,
    logger: ctx.logger,
    ...(order === undefined ? {} : { decryptionOrder: order }),
  });
  const out = path === undefined ? result.plaintext : extract(result.branches, path, formats.output);
  await writeResult(ctx, input, flags, out);
}

export const DECRYPT_COMMAND: CommandModule = {
  name: "decrypt",
  register(program: Command, ctx: CliContext): void {
    addSopsGlobalOptions(program);
    const cmd = addMaxInputSizeOption(program
      .command("decrypt")
      .description("decrypt a sops file (sops-compatible); the MAC is checked first")
      .argument("[file]", "file to decrypt (- or none: stdin)")
      .option("--extract <path>", `print only the value at a tree path, e.g. '["data"]["password"]'`)
      .option("--ignore-mac", "do not check the MAC (dangerous: the file may have been tampered with)")
      .option("--decryption-order <types>", "key types to try first, comma separated (env SOPS_DECRYPTION_ORDER)")
      .option("--input-type <type>", "input format: yaml, json, dotenv, ini or binary (default: by extension)")
      .option("--output-type <type>", "output format (default: the input format)")
      .option("-i, --in-place", "replace the file (atomically) with its plaintext")
      .option("--output <file>", "write to this file (atomically) instead of stdout")
      .option("--filename-override <name>", "use this name to pick the format (useful with stdin)")
      .option("--config <file>", "path of .sops.yaml, read for its store settings (env SOPS_CONFIG)"));
    cmd.action(async (file: string | undefined) => {
      await runDecrypt(ctx, file, cmd.optsWithGlobals<DecryptFlags>());
    });
  },
};
