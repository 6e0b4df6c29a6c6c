/** Entry point of the `sigil` binary. */
import { processContext } from "./context.js";
import { runCli } from "./program.js";

const code = await runCli(process.argv.slice(2), processContext());
process.exitCode = code;
