/** Keeping every path inside the repository: `..` and symlinks that lead out are refused. */
import { realpath } from "node:fs/promises";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { SigilError } from "../../core/index.js";

function inside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The real path of `rel` under `root`.
 * @throws SigilError `render.path_escape` when `rel` is absolute, climbs out with `..`, or resolves (through symlinks) outside `root`;
 *   `input.not_found` when it does not exist.
 */
export async function resolveInside(root: string, rel: string, subject = rel): Promise<string> {
  const realRoot = await realpath(root);
  const lexical = normalize(rel === "" ? "." : rel);
  if (isAbsolute(rel) || lexical === ".." || lexical.startsWith(`..${sep}`)) {
    throw new SigilError("render.path_escape", "the path leaves the repository", { subject });
  }
  let real: string;
  try {
    real = await realpath(join(realRoot, lexical));
  } catch (err) {
    throw new SigilError("input.not_found", "the path does not exist in the repository", { subject, cause: err });
  }
  if (!inside(realRoot, real)) throw new SigilError("render.path_escape", "the path resolves (through a symlink) outside the repository", { subject });
  return real;
}

/** `abs` relative to `root`, with `/` separators (for messages and sorting). */
export function repoRelative(root: string, abs: string): string {
  return relative(root, abs).split(sep).join("/");
}
