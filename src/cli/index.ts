export { buildProgram, runCli, sigilVersion } from "./program.js";
export { COMMANDS, isLazyCommand } from "./commands/index.js";
export type { CommandEntry, CommandModule, LazyCommand } from "./commands/index.js";
export { processContext, readAll } from "./context.js";
export type { CliContext, CliIO } from "./context.js";
export { EXIT_GENERIC, EXIT_OK, EXIT_USAGE, exitCodeFor, exitCodeTable } from "./exit-codes.js";
