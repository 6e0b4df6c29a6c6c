/**
 * Entry point of the `sigil` binary. `sigil --version` answers before the
 * program, its context and commander are loaded (version.ts).
 */
import { printedVersion } from "./version.js";

const argv = process.argv.slice(2);
if (!printedVersion(argv)) {
  const [{ processContext }, { runCli }] = await Promise.all([import("./context.js"), import("./program.js")]);
  process.exitCode = await runCli(argv, processContext());
}
