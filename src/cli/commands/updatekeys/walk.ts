/**
 * Finding the files `updatekeys` works on: named files as they are, and in
 * directories every file that looks sops-encrypted (hidden directories and
 * node_modules skipped). No file over the size limit is read whole: a named
 * one fails from its size; in a directory, one whose beginning and end look
 * sops-encrypted fails (so a big sops file is never passed over silently),
 * anything else is passed over.
 */
import { open, readFile, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { SigilError } from "../../../core/index.js";
import { looksEncrypted } from "../../../decrypt/index.js";
import type { SopsFormat } from "../../../decrypt/index.js";
import type { CliContext } from "../../context.js";
import { tooLarge, userPath } from "../../shared/index.js";

/** How files are picked. */
export interface WalkOptions {
  /** Files larger than this are not read whole (the `--max-input-size` limit). */
  readonly maxBytes: number;
  /** `--input-type`, for recognising sops files (default: by extension). */
  readonly format: SopsFormat | undefined;
}

/** A file to update, or why it could not be read. */
export interface Candidate {
  readonly path: string;
  /** The path as shown in the report (relative to the working directory). */
  readonly display: string;
  readonly bytes: Uint8Array;
  readonly error?: SigilError | undefined;
}

const SKIP_DIRS = new Set(["node_modules"]);

async function* walkDir(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith(".") && e.isDirectory()) continue;
    const p = join(dir, e.name);
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) yield* walkDir(p);
    else if (e.isFile()) yield p;
  }
}

/** How much of the end of an oversized file is read: sops writes its metadata last. */
const TAIL_BYTES = 1024 * 1024;

/** The first `head` and the last `tail` bytes of a file (for recognising it without reading it whole). */
async function readEnds(path: string, size: number, head: number, tail: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const start = Buffer.alloc(Math.min(head, size));
    await handle.read(start, 0, start.length, 0);
    const end = Buffer.alloc(Math.min(tail, size));
    await handle.read(end, 0, end.length, size - end.length);
    return Buffer.concat([start, Buffer.from("\n"), end]);
  } finally {
    await handle.close();
  }
}

/** A file found in a directory: a candidate when it looks sops-encrypted, else undefined. */
async function fromDirectory(f: string, display: string, options: WalkOptions): Promise<Candidate | undefined> {
  const size = (await stat(f)).size;
  const oversized = size > options.maxBytes;
  const bytes = oversized ? await readEnds(f, size, options.maxBytes, TAIL_BYTES) : await readFile(f);
  if (!looksEncrypted({ path: f, bytes, format: options.format })) return undefined;
  if (oversized) return { path: f, display, bytes: new Uint8Array(), error: tooLarge(display, size, options.maxBytes) };
  return { path: f, display, bytes };
}

/** A file named on the command line. */
async function named(abs: string, display: string, size: number, options: WalkOptions): Promise<Candidate> {
  if (size > options.maxBytes) return { path: abs, display, bytes: new Uint8Array(), error: tooLarge(display, size, options.maxBytes) };
  return { path: abs, display, bytes: await readFile(abs) };
}

/** Every candidate under `paths`, in a stable order. */
export async function* collectFiles(ctx: CliContext, paths: readonly string[], options: WalkOptions): AsyncGenerator<Candidate> {
  const display = (f: string): string => relative(ctx.cwd, f) || f;
  for (const p of paths) {
    const abs = userPath(ctx, p);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(abs);
    } catch (cause) {
      yield { path: abs, display: p, bytes: new Uint8Array(), error: new SigilError("input.not_found", "the path does not exist", { subject: p, cause }) };
      continue;
    }
    if (!info.isDirectory()) {
      yield await named(abs, display(abs), info.size, options);
      continue;
    }
    for await (const f of walkDir(abs)) {
      const c = await fromDirectory(f, display(f), options);
      if (c !== undefined) yield c;
    }
  }
}
