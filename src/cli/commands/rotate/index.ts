/**
 * `sigil rotate`: sops' `rotate`: a new data key, every value re-encrypted,
 * optionally adding or removing master keys.
 */
import type { Command } from "commander";
import { rotateFile } from "../../../decrypt/index.js";
import { parseAgeRecipients, parseKmsArns, parseVaultTransitUris } from "../../../providers/index.js";
import type { MasterKeyRef } from "../../../providers/index.js";
import type { CliContext } from "../../context.js";
import { readEncryptedInput } from "../../shared/encrypted-input.js";
import type { EncryptedInputFlags } from "../../shared/encrypted-input.js";
import { addSopsGlobalOptions } from "../../shared/sops-globals.js";
import { writeResult } from "../../shared/sops-io.js";
import { addMaxInputSizeOption } from "../../shared/sops-size.js";
import type { CommandModule } from "../index.js";

type RotateFlags = EncryptedInputFlags & {
  readonly addAge?: string;
  readonly rmAge?: string;
  readonly addKms?: string;
  readonly rmKms?: string;
  readonly addHcVaultTransit?: string;
  readonly rmHcVaultTransit?: string;
};

function keysOf(age: string | undefined, kms: string | undefined, vault: string | undefined): MasterKeyRef[] {
  return [...parseKmsArns(kms ?? ""), ...parseVaultTransitUris(vault ?? ""), ...parseAgeRecipients(age ?? "")];
}

async function runRotate(ctx: CliContext, file: string | undefined, flags: RotateFlags): Promise<void> {
  const { input, engine } = await readEncryptedInput(ctx, file, flags);
  const out = await rotateFile(input.bytes, {
    ...engine,
    addKeys: keysOf(flags.addAge, flags.addKms, flags.addHcVaultTransit),
    removeKeys: keysOf(flags.rmAge, flags.rmKms, flags.rmHcVaultTransit),
  });
  await writeResult(ctx, input, flags, out);
}

export const ROTATE_COMMAND: CommandModule = {
  name: "rotate",
  register(program: Command, ctx: CliContext): void {
    addSopsGlobalOptions(program);
    const cmd = addMaxInputSizeOption(program
      .command("rotate")
      .description("re-encrypt a sops file with a new data key (sops-compatible)")
      .argument("[file]", "file to rotate (- or none: stdin)")
      .option("--add-age <recipients>", "add age recipients")
      .option("--rm-age <recipients>", "remove age recipients")
      .option("--add-kms <arns>", "add KMS keys")
      .option("--rm-kms <arns>", "remove KMS keys")
      .option("--add-hc-vault-transit <uris>", "add Vault transit keys")
      .option("--rm-hc-vault-transit <uris>", "remove Vault transit keys")
      .option("--decryption-order <types>", "key types to try first (env SOPS_DECRYPTION_ORDER)")
      .option("--input-type <type>", "input format (default: by extension)")
      .option("-i, --in-place", "replace the file (atomically)")
      .option("--output <file>", "write to this file (atomically) instead of stdout")
      .option("--filename-override <name>", "use this name to pick the format")
      .option("--config <file>", "path of .sops.yaml, read for its store settings (env SOPS_CONFIG)"));
    cmd.action(async (file: string | undefined) => {
      await runRotate(ctx, file, cmd.optsWithGlobals<RotateFlags>());
    });
  },
};
