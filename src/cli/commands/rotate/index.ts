/**
 * `sigil rotate`: sops' `rotate`: a new data key, every value re-encrypted,
 * optionally adding or removing master keys.
 */
import type { Command } from "commander";
import { ageKeys, kmsKeys, rotateFile, vaultKeys } from "../../../decrypt/index.js";
import type { MasterKeyRef } from "../../../providers/index.js";
import type { CliContext } from "../../context.js";
import { buildProviderRegistry } from "../../keys-from-env.js";
import { decryptionOrder } from "../decrypt/index.js";
import { formatsFor, readInput, writeResult } from "../decrypt/io.js";
import type { IoFlags } from "../decrypt/io.js";
import { addSopsGlobalOptions } from "../encrypt/keys.js";
import type { CommandModule } from "../index.js";

type RotateFlags = IoFlags & {
  readonly addAge?: string;
  readonly rmAge?: string;
  readonly addKms?: string;
  readonly rmKms?: string;
  readonly addHcVaultTransit?: string;
  readonly rmHcVaultTransit?: string;
  readonly decryptionOrder?: string;
};

function keysOf(age: string | undefined, kms: string | undefined, vault: string | undefined): MasterKeyRef[] {
  return [...kmsKeys(kms ?? ""), ...vaultKeys(vault ?? ""), ...ageKeys(age ?? "")];
}

async function runRotate(ctx: CliContext, file: string | undefined, flags: RotateFlags): Promise<void> {
  const input = await readInput(ctx, file, flags);
  const formats = formatsFor(input, flags);
  const order = decryptionOrder(ctx, flags.decryptionOrder);
  const out = await rotateFile(input.bytes, {
    registry: buildProviderRegistry(ctx.env),
    path: input.path ?? input.name,
    format: formats.input,
    addKeys: keysOf(flags.addAge, flags.addKms, flags.addHcVaultTransit),
    removeKeys: keysOf(flags.rmAge, flags.rmKms, flags.rmHcVaultTransit),
    logger: ctx.logger,
    ...(order === undefined ? {} : { decryptionOrder: order }),
  });
  await writeResult(ctx, input, flags, out);
}

export const ROTATE_COMMAND: CommandModule = {
  name: "rotate",
  register(program: Command, ctx: CliContext): void {
    addSopsGlobalOptions(program);
    const cmd = program
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
      .option("--filename-override <name>", "use this name to pick the format");
    cmd.action(async (file: string | undefined) => {
      await runRotate(ctx, file, cmd.optsWithGlobals<RotateFlags>());
    });
  },
};
