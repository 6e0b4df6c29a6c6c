/**
 * Finding the files `updatekeys` works on: named files as they are, and in
 * directories every file that looks sops-encrypted (hidden directories and
 * node_modules skipped).
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { SigilError } from "../../../core/index.js";
import { looksEncrypted } from "../../../decrypt/index.js";
import type { CliContext } from "../../context.js";
import { absolute } from "../decrypt/io.js";

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

/** Every candidate under `paths`, in a stable order. */
export async function* collectFiles(ctx: CliContext, paths: readonly string[]): AsyncGenerator<Candidate> {
  for (const p of paths) {
    const abs = absolute(ctx, p);
    const display = (f: string): string => relative(ctx.cwd, f) || f;
    let isDir: boolean;
    try {
      isDir = (await stat(abs)).isDirectory();
    } catch (cause) {
      yield { path: abs, display: p, bytes: new Uint8Array(), error: new SigilError("input.not_found", "the path does not exist", { subject: p, cause }) };
      continue;
    }
    if (!isDir) {
      yield { path: abs, display: display(abs), bytes: await readFile(abs) };
      continue;
    }
    for await (const f of walkDir(abs)) {
      const bytes = await readFile(f);
      if (looksEncrypted({ path: f, bytes })) yield { path: f, display: display(f), bytes };
    }
  }
}
