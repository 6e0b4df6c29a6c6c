/**
 * `sigil unseal --private-key FILE[,FILE]`: the equivalent of
 * `kubeseal --recovery-unseal --recovery-private-key`. Works offline: PEM
 * keys or key-Secret backups (wrapped keys are unwrapped through the key
 * providers configured in the environment), prints the Secret.
 */
import type { Command } from "commander";
import type { CliContext } from "../../context.js";
import { buildProviderRegistry } from "../../../providers/index.js";
import type { CommandModule } from "../index.js";
import { collect } from "../seal/options.js";
import { PLAINTEXT_FILE_MODE, openOutput, optionalPath, outputFormat, userPath } from "../seal/io.js";
import { loadKeyFiles, unsealToOutput } from "./recovery.js";

interface UnsealFlags {
  privateKey: string[];
  secretFile?: string;
  format?: string;
  output?: string;
}

export const UNSEAL_COMMAND: CommandModule = {
  name: "unseal",
  register(program: Command, ctx: CliContext): void {
    program
      .command("unseal")
      .description("unseal SealedSecrets offline with private keys (kubeseal --recovery-unseal)")
      .requiredOption("--private-key <files>", "private key files: PEM (PKCS#1/PKCS#8) or key Secret backups (Secret or List, JSON or YAML); comma separated or repeated", collect)
      .option("-f, --secret-file <file>", "read the SealedSecret(s) from this file instead of stdin")
      .option("-o, --format <format>", "output format: json or yaml (default json)")
      .option("-w, --output <file>", "write the Secret(s) to this file (.yaml/.yml forces yaml)")
      .action(async (flags: UnsealFlags) => {
        const ring = await loadKeyFiles(flags.privateKey.map((f) => userPath(ctx, f)), buildProviderRegistry(ctx.env));
        const output = optionalPath(ctx, flags.output);
        const out = await openOutput(ctx, output, PLAINTEXT_FILE_MODE);
        await unsealToOutput(ctx, optionalPath(ctx, flags.secretFile), ring, outputFormat(flags.format, output), out);
        await out.commit();
      });
  },
};
