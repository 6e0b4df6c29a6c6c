// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Finding and loading `.sops.yaml`. File access goes through a small
 * injected `ConfigFileSystem` (the default uses `node:fs`), so the module
 * itself is pure.
 */
import { isAbsolute, join, dirname } from "node:path";
import { SigilError, existsNow, readFileNow } from "../../../core/index.js";
import { SOPS_CONFIG_ALTERNATE_FILE, SOPS_CONFIG_FILE } from "./types.js";
import type { SopsConfig } from "./types.js";
import type { SopsConfigOptions } from "./parse-file.js";

/** The file access the config module needs. */
export interface ConfigFileSystem {
  /** The whole file. Rejects when it cannot be read. */
  readFile(path: string): Promise<Uint8Array>;
  /** True when something exists at `path` (sops: `os.Stat` succeeds). Never rejects. */
  exists(path: string): Promise<boolean>;
}

/** `node:fs` behind `ConfigFileSystem` (core/read-file.ts). */
export const nodeConfigFileSystem: ConfigFileSystem = {
  readFile: readFileNow,
  exists: existsNow,
};

/** How many directories sops looks at, starting with the working directory. */
export const SOPS_CONFIG_MAX_DEPTH = 100;

/** The result of the upward search. */
export interface SopsConfigLookup {
  /** Absolute path of the `.sops.yaml` found, or undefined. */
  readonly path: string | undefined;
  /** Set when a `.sops.yml` was seen on the way: sops ignores it and says so. */
  readonly warning: string | undefined;
}

function alternateWarning(alternate: string, found: string | undefined): string {
  const base = `ignoring "${alternate}" when searching for config file; the config file must be called "${SOPS_CONFIG_FILE}"`;
  return found === undefined ? base : `${base}; using "${found}" instead`;
}

/**
 * Walk up from `startDir` (the working directory; checked first) through at
 * most 100 directories looking for `.sops.yaml`, as sops does. Not finding
 * one is not an error (a config file is optional). An explicit
 * `--config`/`SOPS_CONFIG` path is the caller's business: it skips this.
 * @throws SigilError `input.invalid` when `startDir` is not absolute.
 */
export async function findSopsConfig(startDir: string, fs: ConfigFileSystem = nodeConfigFileSystem): Promise<SopsConfigLookup> {
  if (!isAbsolute(startDir)) throw new SigilError("input.invalid", "the directory to search for .sops.yaml must be absolute", { subject: startDir });
  let dir = startDir;
  let alternate: string | undefined;
  for (let i = 0; i < SOPS_CONFIG_MAX_DEPTH; i++) {
    const candidate = join(dir, SOPS_CONFIG_FILE);
    if (await fs.exists(candidate)) {
      return { path: candidate, warning: alternate === undefined ? undefined : alternateWarning(alternate, candidate) };
    }
    if (alternate === undefined && (await fs.exists(join(dir, SOPS_CONFIG_ALTERNATE_FILE)))) alternate = join(dir, SOPS_CONFIG_ALTERNATE_FILE);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { path: undefined, warning: alternate === undefined ? undefined : alternateWarning(alternate, undefined) };
}

function readFailure(path: string, cause: unknown): SigilError {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return new SigilError("input.not_found", "the config file does not exist", { subject: path, cause });
  return new SigilError("config.invalid", `could not read the config file${typeof code === "string" ? ` (${code})` : ""}`, { subject: path, cause });
}

/**
 * Load a config file from a path (through `fs`), or parse the given bytes.
 * @throws SigilError `input.not_found` for a missing file, `config.invalid`
 *   when it cannot be read, and everything `parseSopsConfig` throws.
 */
export async function loadSopsConfig(
  source: string | Uint8Array,
  options: Partial<SopsConfigOptions> & { readonly fs?: ConfigFileSystem; readonly path?: string } = {},
): Promise<SopsConfig> {
  const { fs = nodeConfigFileSystem, ...rest } = options;
  // The YAML parser is imported only when there is a file to parse, so that
  // a command run where no .sops.yaml exists does not load it (start-up time).
  const { parseSopsConfig } = await import("./parse-file.js");
  if (typeof source !== "string") return parseSopsConfig(source, rest);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(source);
  } catch (cause) {
    throw readFailure(source, cause);
  }
  return parseSopsConfig(bytes, { ...rest, path: source });
}
