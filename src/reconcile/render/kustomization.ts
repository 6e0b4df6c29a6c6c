/**
 * Reading kustomization files before kustomize does: every path they name
 * must stay inside the repository, remote bases are refused, and the files
 * that `secretGenerator` `files` / `envs` use are listed (for decryption).
 */
import { existsSync } from "node:fs";
import { readFile, readdir, lstat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { SigilError } from "../../core/index.js";
import { repoRelative, resolveInside } from "./paths.js";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** The kustomization file in `dir`, if any. */
export function kustomizationIn(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((p) => existsSync(p));
}

export interface GeneratorFile {
  /** Repository-relative path. */
  readonly path: string;
  readonly env: boolean;
}

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/i;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x)) : [];
}

async function checkInside(root: string, kdir: string, entry: string, subject: string): Promise<void> {
  if (REMOTE.test(entry)) throw new SigilError("render.path_escape", `remote resource '${entry.slice(0, 200)}' is not allowed`, { subject });
  try {
    await resolveInside(root, repoRelative(root, join(kdir, entry)), subject);
  } catch (err) {
    if (err instanceof SigilError && err.code === "input.not_found") return; // kustomize reports it
    throw err;
  }
}

function referencedPaths(k: Record<string, unknown>): string[] {
  const patches = records(k["patches"]).map((p) => p["path"]).filter((p): p is string => typeof p === "string");
  const gens = [...records(k["secretGenerator"]), ...records(k["configMapGenerator"])].flatMap((g) => [...strings(g["files"]).map((f) => f.slice(f.indexOf("=") + 1)), ...strings(g["envs"]), ...(typeof g["env"] === "string" ? [g["env"]] : [])]);
  return [...strings(k["resources"]), ...strings(k["bases"]), ...strings(k["components"]), ...strings(k["patchesStrategicMerge"]), ...strings(k["crds"]), ...patches, ...gens];
}

function secretGeneratorFiles(k: Record<string, unknown>, kdir: string, root: string): GeneratorFile[] {
  return records(k["secretGenerator"]).flatMap((g) => [
    ...strings(g["files"]).map((f) => ({ path: repoRelative(root, join(kdir, f.slice(f.indexOf("=") + 1))), env: false })),
    ...[...strings(g["envs"]), ...(typeof g["env"] === "string" ? [g["env"]] : [])].map((f) => ({ path: repoRelative(root, join(kdir, f)), env: true })),
  ]);
}

async function kustomizationFiles(dir: string, out: string[]): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name === ".git") continue;
    const abs = join(dir, name);
    const st = await lstat(abs);
    if (st.isDirectory()) await kustomizationFiles(abs, out);
    else if (st.isFile() && (KUSTOMIZATION_FILES as readonly string[]).includes(name)) out.push(abs);
  }
}

/**
 * Check every kustomization file in the repository and list the secretGenerator files.
 * @throws SigilError `render.path_escape` for a path that leaves the repository or a remote base; `render.invalid_yaml` for an unreadable kustomization.
 */
export async function inspectKustomizations(root: string, maxBytes: number): Promise<GeneratorFile[]> {
  const files: string[] = [];
  await kustomizationFiles(root, files);
  const generators: GeneratorFile[] = [];
  for (const file of files.sort()) {
    const subject = repoRelative(root, file);
    if ((await lstat(file)).size > maxBytes) throw new SigilError("render.too_large", "the kustomization is too large", { subject });
    let k: unknown;
    try {
      k = parse(await readFile(file, "utf8"), { maxAliasCount: 100 });
    } catch (err) {
      throw new SigilError("render.invalid_yaml", "the kustomization is not valid YAML", { subject, cause: err });
    }
    if (typeof k !== "object" || k === null || Array.isArray(k)) continue;
    const rec = k as Record<string, unknown>;
    for (const entry of referencedPaths(rec)) await checkInside(root, dirname(file), entry, subject);
    generators.push(...secretGeneratorFiles(rec, dirname(file), root));
  }
  return generators;
}
