/**
 * The entry of a one-command bundle (`dist/bundle/solo-<name>.cjs`, made by
 * scripts/build-cli.mjs for the commands that tools call once per file, as
 * they call `sops -d`). `bin/sigil.js` runs it when that command's name is the
 * first argument. The program is the same; only the command table holds just
 * the one command, so the bundle needs no other command's code and Node loads
 * one file instead of the twenty-odd chunks the shared build splits it into
 * (docs/benchmarks.md, start-up).
 */
import { COMMANDS } from "./commands/index.js";
import type { CommandModule } from "./commands/index.js";
import { processContext } from "./context.js";
import { runCli } from "./program.js";

/**
 * Run the CLI with only the command `name` in its table, its module already
 * imported (`exports` is the module namespace of commands/<name>/index.ts).
 */
export async function runSolo(name: string, exports: Record<string, unknown>): Promise<void> {
  const entry = COMMANDS.find((c) => c.name === name);
  const module = Object.values(exports).find((v): v is CommandModule => typeof v === "object" && v !== null && (v as Partial<CommandModule>).name === name && typeof (v as Partial<CommandModule>).register === "function");
  if (entry === undefined || module === undefined) throw new Error(`no command '${name}' to run alone`);
  process.exitCode = await runCli(process.argv.slice(2), processContext(), [{ ...entry, load: () => Promise.resolve(module) }]);
}
