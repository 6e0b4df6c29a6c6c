/**
 * The lazy command table at work: each `LazyCommand` becomes a placeholder
 * command with its name and description, enough for `sigil --help`, and its
 * module is imported and registered onto that placeholder only when the
 * command is dispatched (`sigil decrypt …`, `sigil decrypt --help`) or its
 * help is asked for by name (`sigil help decrypt`).
 */
import { Help } from "commander";
import type { Command } from "commander";
import { isLazyCommand } from "./commands/index.js";
import type { CommandEntry, LazyCommand } from "./commands/index.js";
import type { CliContext } from "./context.js";

/** Loads the placeholder a `help <name>` command line names, before parsing. */
export type HelpPreloader = (argv: readonly string[]) => Promise<void>;

/**
 * Register every entry on `program`: loaded modules at once, lazy ones as
 * placeholders filled in by a `preSubcommand` hook.
 */
export function addCommands(program: Command, entries: readonly CommandEntry[], ctx: CliContext): HelpPreloader {
  const pending = new Map<Command, LazyCommand>();
  program.configureHelp({ subcommandTerm: (cmd) => pending.get(cmd)?.term ?? new Help().subcommandTerm(cmd) });
  for (const entry of entries) {
    if (!isLazyCommand(entry)) {
      entry.register(program, ctx);
      continue;
    }
    entry.rootOptions?.(program);
    pending.set(program.command(entry.name).description(entry.description), entry);
  }
  const load = async (sub: Command): Promise<void> => {
    const entry = pending.get(sub);
    if (entry === undefined) return;
    pending.delete(sub);
    (await entry.load()).register(adoptingProgram(program, sub), ctx);
  };
  program.hook("preSubcommand", async (_root, sub) => {
    await load(sub);
  });
  return async (argv) => {
    const [first, second] = operands(program, argv);
    // commander prints `help <name>` straight from the named command, without a hook
    const named = first === "help" && second !== undefined ? program.commands.find((c) => c.name() === second || c.aliases().includes(second)) : undefined;
    if (named !== undefined) await load(named);
  };
}

/**
 * The first two operands of a root command line: root options (and the value
 * of those that take one) are skipped, as commander skips them.
 */
export function operands(program: Command, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length && out.length < 2; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      out.push(...argv.slice(i + 1, i + 3));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      out.push(arg);
      continue;
    }
    const option = program.options.find((o) => o.long === arg || o.short === arg);
    if (option?.required === true) i++;
  }
  return out.slice(0, 2);
}

/**
 * The root program as a command module sees it while it registers: its
 * `command(name)` hands back the placeholder already in the tree instead of
 * adding a second command of that name; everything else is the root itself.
 */
function adoptingProgram(root: Command, placeholder: Command): Command {
  const adopt = (nameAndArgs: string, ...rest: unknown[]): Command => {
    const [name, ...args] = nameAndArgs.trim().split(/ +/);
    if (name !== placeholder.name() || rest.length > 0) {
      return (root.command as (n: string, ...r: unknown[]) => Command).call(root, nameAndArgs, ...rest);
    }
    if (args.length > 0) placeholder.arguments(args.join(" "));
    return placeholder;
  };
  return new Proxy(root, {
    get(target, prop): unknown {
      if (prop === "command") return adopt;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
