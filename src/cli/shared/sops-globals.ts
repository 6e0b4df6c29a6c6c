/**
 * The sops flags that also work before the subcommand. Kept apart from the
 * modules that pull in the SOPS engine and the key providers, because the
 * root program registers them at start-up, before any command is loaded:
 * this module imports nothing but commander's types.
 */
import type { Command } from "commander";

/**
 * sops takes `--config`, `--mac-only-encrypted` and the comment-regex flags
 * before the subcommand (`sops --config c.yaml encrypt f`). Register them on
 * the root program too, once, so `alias sops=sigil` keeps working; commands
 * read them with `optsWithGlobals()`.
 */
export function addSopsGlobalOptions(program: Command): void {
  const has = (flag: string): boolean => program.options.some((o) => o.long === flag);
  if (!has("--config")) program.option("--config <file>", "sops commands: path of .sops.yaml (env SOPS_CONFIG)");
  if (!has("--mac-only-encrypted")) program.option("--mac-only-encrypted", "sops encrypt: compute the MAC over encrypted values only");
  if (!has("--unencrypted-comment-regex")) program.option("--unencrypted-comment-regex <regex>", "sops encrypt: leave values after a matching comment in clear");
  if (!has("--encrypted-comment-regex")) program.option("--encrypted-comment-regex <regex>", "sops encrypt: encrypt only values after a matching comment");
}
