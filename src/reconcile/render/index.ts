/**
 * The render step: a path of a fetched revision to Kubernetes objects
 * (a plain directory, or a kustomization built by `kustomize`).
 */
import { realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { SigilError } from "../../core/index.js";
import type { SopsDecryptor } from "../../decrypt/index.js";
import { kustomizationIn } from "./kustomization.js";
import { renderKustomize } from "./kustomize.js";
import { resolveInside } from "./paths.js";
import { renderPlain } from "./plain.js";
import { defaultRenderLimits } from "./types.js";
import type { Manifest, RenderLimits } from "./types.js";

export interface RenderOptions {
  /** The kustomize binary (a name on PATH or a path). */
  readonly kustomizeBin: string;
  readonly timeoutMs: number;
  /** Private temporary directories (decrypted generator files) go under here. */
  readonly tmpDir: string;
  readonly limits: RenderLimits;
  readonly sops: SopsDecryptor | undefined;
}

/** `kustomize` from PATH, 2 minutes, the system temp dir, the default limits, no SOPS keys. */
export function defaultRenderOptions(): RenderOptions {
  return { kustomizeBin: "kustomize", timeoutMs: 120_000, tmpDir: tmpdir(), limits: defaultRenderLimits(), sops: undefined };
}

/**
 * Render `path` of the repository checked out at `root`.
 * @throws SigilError `render.path_escape`, `render.invalid_yaml`, `render.too_large`, `kustomize.failed`, `input.not_found`, or a decrypt error.
 */
export async function render(root: string, path: string, options: Partial<RenderOptions> = {}): Promise<Manifest[]> {
  const opts = { ...defaultRenderOptions(), ...options };
  const realRoot = await realpath(root);
  const dir = await resolveInside(realRoot, path, path);
  if (kustomizationIn(dir) !== undefined) {
    return renderKustomize(realRoot, dir, { bin: opts.kustomizeBin, timeoutMs: opts.timeoutMs, tmpDir: opts.tmpDir, limits: opts.limits, sops: opts.sops });
  }
  const manifests = await renderPlain(realRoot, dir, opts.limits);
  if (manifests.length > opts.limits.maxDocuments) throw new SigilError("render.too_large", "too many objects", { subject: path });
  return manifests;
}

export { defaultRenderLimits } from "./types.js";
export type { KubeObject, Manifest, RenderLimits } from "./types.js";
export { parseManifests } from "./documents.js";
export { resolveInside } from "./paths.js";
