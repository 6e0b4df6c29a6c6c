/**
 * The public face of the CLI, for the tests and tools that drive it in
 * process: run it with a context, the command table, and the exit code an
 * error maps to. Everything else (the program builder, the lazy loader, the
 * process context, the shared helpers) is internal to `src/cli`.
 */
export { runCli, sigilVersion } from "./program.js";
export { COMMANDS } from "./commands/index.js";
export type { CommandModule } from "./commands/index.js";
export type { CliContext } from "./context.js";
export { exitCodeFor } from "./exit-codes.js";
