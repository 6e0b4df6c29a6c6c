/**
 * The CLI as `npm pack` lays it out (bin/, dist/bundle/, package.json), built
 * into a temporary folder with node_modules linked from the checkout: what
 * users run, for tests of the packaged form (the one-command bundles, the
 * launcher's code cache) rather than the sources through tsx.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** esbuild's metafile of the build (outputs, and the inputs with their imports). */
export interface BuildMetafile {
  readonly outputs: Record<string, { readonly inputs: Record<string, unknown>; readonly entryPoint?: string }>;
  readonly inputs: Record<string, { readonly imports: readonly { readonly path: string; readonly kind: string }[] }>;
}

export interface PackagedCli {
  /** The package folder. */
  readonly dir: string;
  /** Its bin/sigil.js. */
  readonly bin: string;
  readonly metafile: BuildMetafile;
  remove(): void;
}

/** Build the packaged CLI into a fresh temporary folder. */
export function buildPackagedCli(prefix = "sigil-packaged-"): PackagedCli {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, "bin"));
  copyFileSync(join(REPO_ROOT, "package.json"), join(dir, "package.json"));
  cpSync(join(REPO_ROOT, "bin"), join(dir, "bin"), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  const meta = join(dir, "meta.json");
  const build = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "build-cli.mjs"), "--outdir", join(dir, "dist", "bundle"), "--metafile", meta], { encoding: "utf8", cwd: REPO_ROOT });
  if (build.status !== 0) throw new Error(`build-cli.mjs exited ${String(build.status)}: ${build.stderr}`);
  const metafile = JSON.parse(readFileSync(meta, "utf8")) as BuildMetafile;
  rmSync(meta);
  return {
    dir,
    bin: join(dir, "bin", "sigil.js"),
    metafile,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
