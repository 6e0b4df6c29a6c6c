/** `sigil keygen sealed|age`: key material for Sealed Secrets and age. */
import type { Command } from "commander";
import type { CliContext } from "../../context.js";
import type { CommandModule } from "../index.js";
import { registerAgeKeygen } from "./age.js";
import { registerSealedKeygen } from "./sealed.js";

export const KEYGEN_COMMAND: CommandModule = {
  name: "keygen",
  register(program: Command, ctx: CliContext): void {
    const keygen = program.command("keygen").description("generate keys: a Sealed Secrets key pair, or an age identity");
    registerSealedKeygen(keygen, ctx);
    registerAgeKeygen(keygen, ctx);
  },
};
