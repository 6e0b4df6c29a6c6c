// .sops.yaml configuration (creation rules) — see docs/sops-config.md
/**
 * Parsing `.sops.yaml` bytes (through the yaml package) into a `SopsConfig`.
 * Kept apart from the lookup in `load.ts`, which imports this module only when
 * there is a file to parse.
 */
import { SigilError } from "../../../core/index.js";
import { parseConfigTree } from "./parse.js";
import { SOPS_CONFIG_FILE } from "./types.js";
import type { SopsConfig } from "./types.js";
import { readYaml } from "./yaml-read.js";

/** Limits for reading a config file. */
export interface SopsConfigOptions {
  /** Larger files are refused (default 1 MiB). */
  readonly maxBytes: number;
  /** Passed to the yaml package's alias-expansion guard (default 100). */
  readonly maxAliasCount: number;
  /** Nodes after alias and merge expansion (default 100,000). */
  readonly maxNodes: number;
}

export function defaultSopsConfigOptions(): SopsConfigOptions {
  return { maxBytes: 1024 * 1024, maxAliasCount: 100, maxNodes: 100_000 };
}

/**
 * Parse config bytes (or text). `path` is used for messages and kept in the result.
 * @throws SigilError `input.too_large` over `maxBytes`; `config.invalid` for
 *   invalid UTF-8 or YAML, alias bombs, and any field of the wrong shape
 *   (the message names the field, e.g. `creation_rules[1].age`, and the line).
 */
export function parseSopsConfig(source: Uint8Array | string, options: Partial<SopsConfigOptions> & { readonly path?: string } = {}): SopsConfig {
  const opts = { ...defaultSopsConfigOptions(), ...options };
  const subject = options.path ?? SOPS_CONFIG_FILE;
  const size = typeof source === "string" ? Buffer.byteLength(source) : source.length;
  if (size > opts.maxBytes) {
    throw new SigilError("input.too_large", `the config file is ${size} bytes, over the limit of ${opts.maxBytes}`, { subject });
  }
  let text: string;
  try {
    text = typeof source === "string" ? source : new TextDecoder("utf-8", { fatal: true }).decode(source);
  } catch (cause) {
    throw new SigilError("config.invalid", "the config file is not valid utf-8", { subject, cause });
  }
  const { root, warnings } = readYaml(text, subject, opts);
  return parseConfigTree({ subject, warnings }, root, options.path);
}
