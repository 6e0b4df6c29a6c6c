/**
 * Paths and files the user named on the command line: resolved against the
 * command's working directory (never `process.cwd()`), and read with an error
 * that names the file and the flag.
 */
import { isAbsolute, resolve } from "node:path";
import { SigilError, readFileNow } from "../../core/index.js";
import type { CliContext } from "../context.js";

/** A path the user gave, resolved against the command's working directory (never `process.cwd()`). */
export function userPath(ctx: Pick<CliContext, "cwd">, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

/** `userPath` for an optional flag value. */
export function optionalPath(ctx: Pick<CliContext, "cwd">, path: string | undefined): string | undefined {
  return path === undefined || path === "" ? path : userPath(ctx, path);
}

/**
 * Read a file the user named.
 * @throws SigilError `input.not_found` naming the file and the flag.
 */
export async function readUserFile(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFileNow(path);
  } catch (cause) {
    throw new SigilError("input.not_found", `could not read the file given with ${flag}`, { subject: path, cause });
  }
}
