/**
 * What is at an output path, checked before anything is written: symbolic
 * links are followed to the file they name (so the link survives and the
 * real file is the one replaced), and anything but a regular file (a
 * directory, a character or block device, a FIFO, a socket) is refused.
 */
import { constants } from "node:fs";
import type { Stats } from "node:fs";
import { access, lstat, readlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { SigilError } from "../../core/index.js";

/** Linux gives up after 40 links (ELOOP); so does Sigil. */
const MAX_LINKS = 40;

/** A checked output path. */
export interface OutputTarget {
  /** The path as the user gave it (for messages). */
  readonly requested: string;
  /** The file that will be replaced or created: `requested` with every symbolic link followed. */
  readonly path: string;
  /** The file that is there now, if any (a regular file). */
  readonly existing: Stats | undefined;
}

function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return "a directory";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (cause) {
    if ((cause as { code?: unknown }).code === "ENOENT") return undefined;
    throw cause;
  }
}

/** Follow `path` through symbolic links (a dangling link resolves to the file it would create). */
async function follow(requested: string): Promise<{ path: string; st: Stats | undefined }> {
  let path = requested;
  for (let i = 0; i <= MAX_LINKS; i++) {
    const st = await lstatOrUndefined(path);
    if (st === undefined || !st.isSymbolicLink()) return { path, st };
    path = resolve(dirname(path), await readlink(path));
  }
  throw new SigilError("output.unsafe_target", `too many levels of symbolic links (more than ${MAX_LINKS})`, { subject: requested });
}

/** The target's directory must exist and be writable: the temporary file is made there. */
async function checkDirectory(requested: string, dir: string): Promise<void> {
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (cause) {
    const missing = (cause as { code?: unknown }).code === "ENOENT";
    throw new SigilError("output.write_failed", missing ? "the output's directory does not exist" : "the output's directory is not writable", { subject: requested, cause });
  }
}

/**
 * Check an output path before writing.
 * @throws SigilError `output.unsafe_target` for a directory, device, FIFO or
 *   socket (or a symbolic link loop), `output.read_only` for an existing file
 *   the user may not write (as sops, which opens it for writing, refuses it),
 *   `output.exists` for an existing file when `exclusive`,
 *   `output.write_failed` when the path cannot be examined or its directory
 *   is missing or not writable.
 */
export async function checkOutputTarget(requested: string, options: { readonly exclusive?: boolean } = {}): Promise<OutputTarget> {
  let found: { path: string; st: Stats | undefined };
  try {
    found = await follow(requested);
  } catch (cause) {
    if (cause instanceof SigilError) throw cause;
    throw new SigilError("output.write_failed", "the output path could not be examined", { subject: requested, cause });
  }
  const { path, st } = found;
  if (st === undefined) {
    await checkDirectory(requested, dirname(path));
    return { requested, path, existing: undefined };
  }
  const kind = kindOf(st);
  if (kind !== undefined) throw new SigilError("output.unsafe_target", `refusing to write: the output is ${kind}, not a regular file`, { subject: requested });
  if (options.exclusive === true) throw new SigilError("output.exists", "refusing to overwrite an existing file (pass --force)", { subject: requested });
  try {
    await access(path, constants.W_OK);
  } catch (cause) {
    throw new SigilError("output.read_only", "refusing to write: the file is read-only for this user", { subject: requested, cause });
  }
  await checkDirectory(requested, dirname(path));
  return { requested, path, existing: st };
}
