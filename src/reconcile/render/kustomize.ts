/**
 * A kustomization, built by the real `kustomize` binary (as Argo CD does).
 * SOPS-encrypted files used by `secretGenerator` (and encrypted manifest
 * files, so their MAC is checked over the bytes in Git before kustomize
 * reformats them) are decrypted into a private copy of the repository (0700, files 0600) that is removed right
 * after the build; the checkout itself is never written.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { SigilError, redact } from "../../core/index.js";
import { looksEncrypted } from "../../decrypt/index.js";
import type { SopsDecryptor } from "../../decrypt/index.js";
import { parseManifests } from "./documents.js";
import { inspectKustomizations } from "./kustomization.js";
import type { GeneratorFile } from "./kustomization.js";
import { repoRelative, resolveInside } from "./paths.js";
import { listManifestFiles } from "./plain.js";
import type { Manifest, RenderLimits } from "./types.js";

const run = promisify(execFile);

export interface KustomizeOptions {
  readonly bin: string;
  readonly timeoutMs: number;
  readonly tmpDir: string;
  readonly limits: RenderLimits;
  /** Decrypts SOPS generator files; without it an encrypted generator file fails the render. */
  readonly sops: SopsDecryptor | undefined;
}

/** secretGenerator files, and every manifest file of the repository, that are SOPS-encrypted. */
async function encryptedFiles(root: string, gens: readonly GeneratorFile[], sops: SopsDecryptor | undefined, limits: RenderLimits): Promise<GeneratorFile[]> {
  const out: GeneratorFile[] = [];
  const manifests = (await listManifestFiles(root, root)).map((f) => ({ path: repoRelative(root, f), env: false }));
  const seen = new Set<string>();
  for (const g of [...gens, ...manifests]) {
    if (seen.has(g.path)) continue;
    seen.add(g.path);
    let bytes: Buffer;
    try {
      bytes = await readFile(await resolveInside(root, g.path));
    } catch {
      continue; // missing: kustomize reports it
    }
    if (bytes.byteLength > limits.maxFileBytes) throw new SigilError("render.too_large", "the generator file is too large", { subject: g.path });
    const probe = { path: g.path, bytes, format: g.env ? ("dotenv" as const) : undefined };
    if (looksEncrypted(probe)) out.push(g);
  }
  return out;
}

async function decryptInto(copy: string, files: readonly GeneratorFile[], sops: SopsDecryptor | undefined): Promise<void> {
  if (sops === undefined) throw new SigilError("decrypt.no_matching_key", "an encrypted secretGenerator file needs SOPS keys (decryption)", { subject: files[0]?.path });
  for (const f of files) {
    const path = join(copy, f.path);
    const result = await sops.decrypt({ path: f.path, bytes: await readFile(path), format: f.env ? "dotenv" : undefined });
    await rm(path, { force: true });
    await writeFile(path, result.plaintext, { mode: 0o600, flag: "wx" });
  }
}

async function build(bin: string, dir: string, subject: string, opts: KustomizeOptions): Promise<string> {
  try {
    const { stdout } = await run(bin, ["build", dir], { timeout: opts.timeoutMs, maxBuffer: opts.limits.maxTotalBytes, env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: opts.tmpDir } });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; code?: unknown; killed?: boolean };
    if (e.code === "ENOENT") throw new SigilError("kustomize.failed", `the kustomize binary '${bin}' was not found`, { subject });
    if (e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") throw new SigilError("render.too_large", `kustomize's output is larger than ${opts.limits.maxTotalBytes} bytes`, { subject });
    const stderr = redact((e.stderr ?? "").split(dir).join(".")).trim().split("\n").slice(-3).join("; ").slice(0, 600);
    throw new SigilError("kustomize.failed", e.killed === true ? "kustomize build timed out" : `kustomize build failed: ${stderr}`, { subject });
  }
}

/**
 * Build the kustomization in `dir` (inside `root`).
 * @throws SigilError `kustomize.failed`, `render.path_escape`, `render.too_large`, `render.invalid_yaml`, or a decrypt error for a generator file.
 */
export async function renderKustomize(root: string, dir: string, opts: KustomizeOptions): Promise<Manifest[]> {
  const rel = repoRelative(root, dir) || ".";
  const subject = `kustomize build ${rel}`;
  const encrypted = await encryptedFiles(root, await inspectKustomizations(root, opts.limits.maxFileBytes), opts.sops, opts.limits);
  if (encrypted.length === 0) return parseManifests(await build(opts.bin, dir, subject, opts), subject, opts.limits);
  const copy = await mkdtemp(join(opts.tmpDir, "sigil-kustomize-"));
  try {
    await cp(root, copy, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.split("/").includes(".git") });
    await decryptInto(copy, encrypted, opts.sops);
    return parseManifests(await build(opts.bin, join(copy, rel), subject, opts), subject, opts.limits);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}
