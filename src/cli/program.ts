/**
 * The root `sigil` program: version, help, the registered commands, and one
 * place that turns thrown errors into a redacted message and an exit code.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { SigilError, describeError, escapeControlChars, redact } from "../core/index.js";
import { COMMANDS } from "./commands/index.js";
import type { CommandEntry } from "./commands/index.js";
import type { CliContext } from "./context.js";
import { addCommands } from "./lazy.js";
import type { HelpPreloader } from "./lazy.js";
import { EXIT_GENERIC, EXIT_OK, EXIT_USAGE, exitCodeFor } from "./exit-codes.js";

/** The package version, read from package.json at start-up. */
export function sigilVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

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
    .version(sigilVersion(), "-v, --version", "print the version and exit")
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

/** Wait for stdout; a write that failed turns a success into its error (never exit 0 having written nothing). */
async function finishOutput(ctx: CliContext, code: number): Promise<number> {
  try {
    await ctx.stdout.flush?.();
    return code;
  } catch (err) {
    return code === EXIT_OK ? reportError(err, ctx) : code;
  }
}

function reportError(err: unknown, ctx: CliContext): number {
  if (err instanceof CommanderError) {
    // help and version exit through here with code 0
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  // The reader went away (`sigil decrypt f | head`): stop quietly, as Unix tools do.
  if (err instanceof SigilError && err.code === "output.closed") return exitCodeFor(err.code);
  const line = escapeControlChars(redact(describeError(err)));
  ctx.stderr.write(`sigil: ${line}\n`);
  if (err instanceof SigilError) return exitCodeFor(err.code);
  ctx.logger.debug("unexpected error", { err });
  return EXIT_GENERIC;
}
