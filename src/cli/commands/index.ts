/**
 * The command registry. A command lives in its own folder under
 * `src/cli/commands/<name>/` and exports a `CommandModule`; adding it to this
 * list is the only change needed to plug it in.
 */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { DECRYPT_COMMAND } from "./decrypt/index.js";
import { ENCRYPT_COMMAND } from "./encrypt/index.js";
import { KEYGEN_COMMAND } from "./keygen/index.js";
import { OPERATOR_COMMAND } from "./operator/index.js";
import { ROTATE_COMMAND } from "./rotate/index.js";
import { SEAL_COMMAND } from "./seal/index.js";
import { UNSEAL_COMMAND } from "./unseal/index.js";
import { UPDATEKEYS_COMMAND } from "./updatekeys/index.js";

export interface CommandModule {
  readonly name: string;
  /** Attach the command (and its flags) to the root program. */
  register(program: Command, ctx: CliContext): void;
}

export const COMMANDS: readonly CommandModule[] = [
  SEAL_COMMAND,
  UNSEAL_COMMAND,
  KEYGEN_COMMAND,
  OPERATOR_COMMAND,
  ENCRYPT_COMMAND,
  DECRYPT_COMMAND,
  ROTATE_COMMAND,
  UPDATEKEYS_COMMAND,
];
