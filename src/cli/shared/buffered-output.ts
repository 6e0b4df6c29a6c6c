/**
 * Output of the sealed-secrets commands: stdout, or a `-w` file that is
 * checked before any work is done and replaced atomically (through the CLI's
 * one file writer, keeping its owner and mode) only when the command
 * succeeds.
 */
import type { CliContext } from "../context.js";
import { checkOutputTarget } from "./output-target.js";
import { standardStreamFor } from "./standard-streams.js";
import { writeOutputFile } from "./write-files.js";

/** Where a command's output goes. Nothing reaches a `-w` file until `commit()`. */
export interface Output {
  write(text: string): void;
  commit(): Promise<void>;
}

/** The mode of files that hold plaintext (`unseal -w`, `seal --recovery-unseal -w`): the owner's only. */
export const PLAINTEXT_FILE_MODE = 0o600;

/**
 * Replace (or create) `path` with `content` through the CLI's file writer:
 * an existing file keeps its owner and mode, a new one gets `mode`
 * (default: 0666 less the umask).
 * @throws SigilError as `writeOutputFile`.
 */
export async function replaceFile(ctx: CliContext, path: string, content: string, mode?: number): Promise<void> {
  await writeOutputFile({ path, content, mode }, ctx.writeOptions);
}

/**
 * Output to `file` (when given; a new file is created with `mode`) or
 * stdout. The file is checked now, before the command does any work.
 * @throws SigilError as `checkOutputTarget`.
 */
export async function openOutput(ctx: CliContext, file: string | undefined, mode?: number): Promise<Output> {
  const stream = file === undefined || file === "" ? ctx.stdout : standardStreamFor(ctx, file);
  if (stream !== undefined) return { write: (text) => void stream.write(text), commit: () => Promise.resolve() };
  await checkOutputTarget(file ?? "");
  const parts: string[] = [];
  return { write: (text) => void parts.push(text), commit: () => replaceFile(ctx, file ?? "", parts.join(""), mode) };
}
