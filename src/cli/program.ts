/**
 * The root `sigil` program: version, help, the registered commands, and one
 * place that turns thrown errors into a redacted message and an exit code.
 */
import { Command, CommanderError } from "commander";
import { escapeControlChars } from "../core/index.js";
import { COMMANDS } from "./commands/index.js";
import type { CommandEntry } from "./commands/index.js";
import type { CliContext } from "./context.js";
import { addCommands } from "./lazy.js";
import type { HelpPreloader } from "./lazy.js";
import { EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { finishOutput, reportFailure } from "./outcome.js";
import { VERSION_FLAGS, sigilVersion } from "./version.js";

export { sigilVersion };

/**
 * Build the root program with every registered command; lazy entries are
 * imported only when their command runs (`lazy.ts`).
 */
export function buildProgram(ctx: CliContext, commands: readonly CommandEntry[] = COMMANDS): Command {
  return buildLazyProgram(ctx, commands).program;
}

function buildLazyProgram(ctx: CliContext, commands: readonly CommandEntry[]): { program: Command; preloadHelp: HelpPreloader } {
  const program = new Command("sigil")
    .description("Secrets-aware GitOps for Kubernetes: SOPS, Sealed Secrets and External Secrets in one tool.")
    .version(sigilVersion(), VERSION_FLAGS.join(", "), "print the version and exit")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(escapeControlChars(s, { keepNewlines: true })),
    });
  return { program, preloadHelp: addCommands(program, commands, ctx) };
}

/** Run the CLI and return the exit status. Never throws. */
export async function runCli(argv: readonly string[], ctx: CliContext, commands: readonly CommandEntry[] = COMMANDS): Promise<number> {
  const { program, preloadHelp } = buildLazyProgram(ctx, commands);
  let code: number;
  try {
    await preloadHelp(argv);
    await program.parseAsync([...argv], { from: "user" });
    code = EXIT_OK;
  } catch (err) {
    code = reportError(err, ctx);
  }
  return finishOutput(ctx, code);
}

function reportError(err: unknown, ctx: CliContext): number {
  // help and version exit through here with code 0
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  return reportFailure(err, ctx);
}
