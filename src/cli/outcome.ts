/**
 * How a run of the CLI ends: a thrown error turned into one redacted line
 * and an exit status, and the wait for stdout.
 */
import { SigilError, describeError, escapeControlChars, redact } from "../core/index.js";
import type { CliContext } from "./context.js";
import { EXIT_GENERIC, EXIT_OK, exitCodeFor } from "./exit-codes.js";

/** Report a thrown error on stderr (one redacted line) and return the exit status. */
export function reportFailure(err: unknown, ctx: CliContext): number {
  // The reader went away (`sigil decrypt f | head`): stop quietly, as Unix tools do.
  if (err instanceof SigilError && err.code === "output.closed") return exitCodeFor(err.code);
  const line = escapeControlChars(redact(describeError(err)));
  ctx.stderr.write(`sigil: ${line}\n`);
  if (err instanceof SigilError) return exitCodeFor(err.code);
  ctx.logger.debug("unexpected error", { err });
  return EXIT_GENERIC;
}

/** Wait for stdout; a write that failed turns a success into its error (never exit 0 having written nothing). */
export async function finishOutput(ctx: CliContext, code: number): Promise<number> {
  try {
    await ctx.stdout.flush?.();
    return code;
  } catch (err) {
    return code === EXIT_OK ? reportFailure(err, ctx) : code;
  }
}
