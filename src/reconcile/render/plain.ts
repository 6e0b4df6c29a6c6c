/**
 * A plain directory: every `.yaml`, `.yml` and `.json` file under it,
 * recursively, in byte order of the repository-relative path. A symlink is
 * followed only when it stays inside the repository.
 */
import { lstat, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { SigilError } from "../../core/index.js";
import { looksEncrypted } from "../../decrypt/index.js";
import { parseManifests } from "./documents.js";
import { repoRelative, resolveInside } from "./paths.js";
import type { Manifest, RenderLimits } from "./types.js";

const MANIFEST = /\.(ya?ml|json)$/i;

async function collect(root: string, dir: string, out: string[], seen: Set<string>): Promise<void> {
  if (seen.has(dir)) return;
  seen.add(dir);
  for (const name of await readdir(dir)) {
    if (name === ".git") continue;
    const abs = join(dir, name);
    const st = await lstat(abs);
    const real = st.isSymbolicLink() ? await resolveInside(root, repoRelative(root, abs)) : abs;
    const target = st.isSymbolicLink() ? await lstat(real) : st;
    if (target.isDirectory()) await collect(root, real, out, seen);
    else if (target.isFile() && MANIFEST.test(name)) out.push(abs);
  }
}

/** Files to read, sorted; `dir` must already be inside `root` (see resolveInside). */
export async function listManifestFiles(root: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  await collect(root, dir, files, new Set());
  return files.sort((a, b) => (repoRelative(root, a) < repoRelative(root, b) ? -1 : 1));
}

/**
 * Render a plain directory.
 * @throws SigilError `render.path_escape`, `render.too_large`, `render.invalid_yaml`.
 */
export async function renderPlain(root: string, dir: string, limits: RenderLimits): Promise<Manifest[]> {
  const out: Manifest[] = [];
  let total = 0;
  for (const file of await listManifestFiles(root, dir)) {
    const subject = repoRelative(root, file);
    const size = (await lstat(await resolveInside(root, subject))).size;
    total += size;
    if (size > limits.maxFileBytes) throw new SigilError("render.too_large", `the file is larger than ${limits.maxFileBytes} bytes`, { subject });
    if (total > limits.maxTotalBytes) throw new SigilError("render.too_large", `the manifests are larger than ${limits.maxTotalBytes} bytes in all`, { subject });
    const bytes = await readFile(file);
    const encrypted = looksEncrypted({ path: subject, bytes });
    for (const m of parseManifests(bytes.toString("utf8"), subject, limits)) out.push(encrypted ? { ...m, encryptedFile: bytes } : m);
    if (out.length > limits.maxDocuments) throw new SigilError("render.too_large", `more than ${limits.maxDocuments} objects`, { subject });
  }
  return out;
}
