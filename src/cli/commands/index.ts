/**
 * The command registry. A command lives in its own folder under
 * `src/cli/commands/<name>/` and exports a `CommandModule`; adding it to this
 * list is the only change needed to plug it in.
 */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { KEYGEN_COMMAND } from "./keygen/index.js";
import { OPERATOR_COMMAND } from "./operator/index.js";
import { SEAL_COMMAND } from "./seal/index.js";
import { UNSEAL_COMMAND } from "./unseal/index.js";

export interface CommandModule {
  readonly name: string;
  /** Attach the command (and its flags) to the root program. */
  register(program: Command, ctx: CliContext): void;
}

export const COMMANDS: readonly CommandModule[] = [SEAL_COMMAND, UNSEAL_COMMAND, KEYGEN_COMMAND, OPERATOR_COMMAND];
