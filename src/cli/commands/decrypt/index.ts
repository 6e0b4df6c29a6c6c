/**
 * `sigil decrypt`: sops' `decrypt` (`sops -d`) with the same flags
 * (docs/cli/sops.md). The MAC is verified before anything is printed.
 */
import type { Command } from "commander";
import { decryptFile } from "../../../decrypt/index.js";
import type { CliContext } from "../../context.js";
import type { CommandModule } from "../index.js";
import { readEncryptedInput } from "../../shared/encrypted-input.js";
import type { EncryptedInputFlags } from "../../shared/encrypted-input.js";
import { addSopsGlobalOptions } from "../../shared/sops-globals.js";
import { writeResult } from "../../shared/sops-io.js";
import { addMaxInputSizeOption } from "../../shared/sops-size.js";
import { extract, parseTreePath } from "./extract.js";

type DecryptFlags = EncryptedInputFlags & {
  readonly extract?: string | undefined;
  readonly ignoreMac?: boolean | undefined;
};

async function runDecrypt(ctx: CliContext, file: string | undefined, flags: DecryptFlags): Promise<void> {
  const path = flags.extract === undefined ? undefined : parseTreePath(flags.extract);
  const { input, formats, engine } = await readEncryptedInput(ctx, file, flags);
  const result = await decryptFile(input.bytes, { ...engine, outputFormat: formats.output, dangerouslySkipMacCheck: flags.ignoreMac === true });
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
