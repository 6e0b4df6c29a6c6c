/**
 * The command registry. A command lives in its own folder under
 * `src/cli/commands/<name>/` and exports a `CommandModule`; adding a
 * `LazyCommand` entry for it to `COMMANDS` is the only change needed to plug
 * it in.
 *
 * The table is lazy: start-up loads none of the command folders. `sigil
 * --help` lists each command from its entry's `term` and `description`, and a
 * command's module (with the SOPS engine, the Sealed Secrets codec and the key
 * providers behind it) is imported only when that command is dispatched. A
 * unit test checks that every entry's term and description match what its
 * module registers, and that `--version` and `--help` load no command module.
 */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { addSopsGlobalOptions } from "./encrypt/globals.js";

export interface CommandModule {
  readonly name: string;
  /** Attach the command (and its flags) to the root program. */
  register(program: Command, ctx: CliContext): void;
}

/** A command known by name, usage and description at start-up, and imported when it runs. */
export interface LazyCommand {
  readonly name: string;
  /** The command's line in `sigil --help`, as commander prints it, e.g. `decrypt [options] [file]`. */
  readonly term: string;
  /** The command's description in `sigil --help` (the module sets the same text). */
  readonly description: string;
  /** Flags the command also accepts before its name (`sigil --config c.yaml decrypt`), registered at start-up. */
  readonly rootOptions?: ((program: Command) => void) | undefined;
  /** Import the command's module. */
  load(): Promise<CommandModule>;
}

/** An entry of the command table: loaded already, or on demand. */
export type CommandEntry = CommandModule | LazyCommand;

/** True for an entry that is imported on demand. */
export function isLazyCommand(entry: CommandEntry): entry is LazyCommand {
  return "load" in entry;
}

export const COMMANDS: readonly LazyCommand[] = [
  {
    name: "seal",
    term: "seal [options]",
    description: "seal a Secret for a sealed-secrets controller (kubeseal-compatible)",
    load: async () => (await import("./seal/index.js")).SEAL_COMMAND,
  },
  {
    name: "unseal",
    term: "unseal [options]",
    description: "unseal SealedSecrets offline with private keys (kubeseal --recovery-unseal)",
    load: async () => (await import("./unseal/index.js")).UNSEAL_COMMAND,
  },
  {
    name: "keygen",
    term: "keygen",
    description: "generate keys: a Sealed Secrets key pair, or an age identity",
    load: async () => (await import("./keygen/index.js")).KEYGEN_COMMAND,
  },
  {
    name: "operator",
    term: "operator [options]",
    description: "run Sigil's in-cluster controllers (chosen by --controllers) until SIGTERM; SIGUSR1 makes a new sealing key",
    load: async () => (await import("./operator/index.js")).OPERATOR_COMMAND,
  },
  {
    name: "encrypt",
    term: "encrypt [options] [file]",
    description: "encrypt a file (sops-compatible)",
    rootOptions: addSopsGlobalOptions,
    load: async () => (await import("./encrypt/index.js")).ENCRYPT_COMMAND,
  },
  {
    name: "decrypt",
    term: "decrypt [options] [file]",
    description: "decrypt a sops file (sops-compatible); the MAC is checked first",
    rootOptions: addSopsGlobalOptions,
    load: async () => (await import("./decrypt/index.js")).DECRYPT_COMMAND,
  },
  {
    name: "rotate",
    term: "rotate [options] [file]",
    description: "re-encrypt a sops file with a new data key (sops-compatible)",
    rootOptions: addSopsGlobalOptions,
    load: async () => (await import("./rotate/index.js")).ROTATE_COMMAND,
  },
  {
    name: "updatekeys",
    term: "updatekeys [options] [paths...]",
    description: "make sops files' keys match .sops.yaml; files and whole directory trees (sops-compatible, extended)",
    rootOptions: addSopsGlobalOptions,
    load: async () => (await import("./updatekeys/index.js")).UPDATEKEYS_COMMAND,
  },
  { name: "sync", term: "sync [options]", description: "apply a path of a Git repository or directory to the cluster once: render, decrypt, server-side apply, prune", load: async () => (await import("./sync/index.js")).SYNC_COMMAND },
];
