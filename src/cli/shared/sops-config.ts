/**
 * `.sops.yaml` for the sops-compatible commands, through the config module
 * (`src/decrypt/sops/config`, docs/sops-config.md): the path from
 * `--config` / `SOPS_CONFIG`, else the upward search from the working
 * directory; sops' `.sops.yml` warning and the module's warnings go to the
 * logger.
 */
import { dirname } from "node:path";
import { findSopsConfig, loadSopsConfig, storeIndents } from "../../decrypt/index.js";
import type { SopsConfig, StoreOptions } from "../../decrypt/index.js";
import type { CliContext } from "../context.js";
import { userPath } from "./user-files.js";

/** Path of `.sops.yaml` (as sops' `--config`). */
export const SOPS_CONFIG_ENV = "SOPS_CONFIG";

/** A loaded `.sops.yaml` and the directory its `path_regex`es are relative to. */
export interface CliSopsConfig {
  readonly config: SopsConfig;
  /** Absolute path of the file. */
  readonly path: string;
  /** Its directory. */
  readonly dir: string;
}

/**
 * Load `.sops.yaml` from `--config` (`flag`), `SOPS_CONFIG`, or by walking
 * up from the working directory. Returns undefined when there is none (a
 * config file is optional). Warnings are logged, never thrown.
 * @throws SigilError `input.not_found` for a missing explicit file;
 *   `config.invalid` / `input.too_large` for an unreadable or invalid one.
 */
export async function loadCliSopsConfig(ctx: CliContext, flag: string | undefined): Promise<CliSopsConfig | undefined> {
  const explicit = flag ?? ctx.env[SOPS_CONFIG_ENV];
  let path: string;
  if (explicit !== undefined && explicit !== "") {
    path = userPath(ctx, explicit);
  } else {
    const found = await findSopsConfig(ctx.cwd);
    if (found.warning !== undefined) ctx.logger.warn(found.warning);
    if (found.path === undefined) return undefined;
    path = found.path;
  }
  const config = await loadSopsConfig(path);
  for (const warning of config.warnings) ctx.logger.warn(warning, { config: path });
  return { config, path, dir: dirname(path) };
}

/** The store settings (indentation) of a config, with sops' defaults when there is none. */
export function storeOptionsOf(loaded: CliSopsConfig | undefined): Partial<StoreOptions> {
  const indents = storeIndents(loaded?.config);
  return { yamlIndent: indents.yaml, jsonIndent: indents.json, jsonBinaryIndent: indents.jsonBinary };
}
