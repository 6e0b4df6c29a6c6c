/**
 * The five stores behind one interface, and format detection by extension
 * (`.yaml`/`.yml`, `.json`, `.env`, `.ini`, anything else binary).
 */
import { isUtf8 } from "node:buffer";
import { MAX_NESTING_DEPTH, SigilError } from "../../../core/index.js";
import type { MetadataLayout } from "../metadata/embed.js";
import { TreeMap } from "../tree/model.js";
import type { Branches } from "../tree/model.js";
import { emitDotenv, parseDotenv } from "./dotenv.js";
import { emitIni, parseIni } from "./ini.js";
import { emitJson, parseJson } from "./json.js";
import { emitYaml } from "./yaml-emit.js";
import { nestingDepth } from "./yaml-clone.js";
import { TOO_DEEP, parseYaml } from "./yaml-parse.js";

export const SOPS_FORMATS = ["yaml", "json", "dotenv", "ini", "binary"] as const;
export type SopsFormat = (typeof SOPS_FORMATS)[number];

/** Store settings (`stores:` in `.sops.yaml`). */
export interface StoreOptions {
  /** YAML indentation (default 4). */
  readonly yamlIndent: number;
  /** JSON indentation in spaces, -1 for a TAB (default). */
  readonly jsonIndent: number;
  /** Indentation of the JSON wrapper of binary files (default TAB). */
  readonly jsonBinaryIndent: number;
  /** Alias-expansion bound for YAML input. */
  readonly maxAliasNodes: number;
}

export function defaultStoreOptions(): StoreOptions {
  return { yamlIndent: 4, jsonIndent: -1, jsonBinaryIndent: -1, maxAliasNodes: 1_000_000 };
}

/** Reads and writes one format, plain and encrypted. */
export interface Store {
  readonly format: SopsFormat;
  /** Where the metadata lives in an encrypted file of this format. */
  readonly layout: MetadataLayout;
  /** Parse a plain file. */
  parsePlain(bytes: Uint8Array, subject?: string): Branches;
  /** Parse an encrypted file (metadata still inside the branches). */
  parseEncrypted(bytes: Uint8Array, subject?: string): Branches;
  /** Emit decrypted branches. */
  emitPlain(branches: Branches, subject?: string): Uint8Array;
  /** Emit encrypted branches (metadata already embedded). */
  emitEncrypted(branches: Branches, subject?: string): Uint8Array;
}

function simple(format: SopsFormat, layout: MetadataLayout, parse: Store["parsePlain"], emit: Store["emitPlain"]): Store {
  return { format, layout, parsePlain: parse, parseEncrypted: parse, emitPlain: emit, emitEncrypted: emit };
}

function binaryStore(opts: StoreOptions): Store {
  return {
    format: "binary",
    layout: "nested",
    parsePlain: (bytes) => [new TreeMap([{ key: "data", value: isUtf8(bytes) ? Buffer.from(bytes).toString("utf8") : new Uint8Array(bytes) }])],
    parseEncrypted: (bytes, subject) => parseJson(bytes, subject),
    emitPlain: (branches, subject) => {
      const data = branches.length === 1 ? branches[0]?.get("data") : undefined;
      if (typeof data === "string") return Buffer.from(data, "utf8");
      if (data instanceof Uint8Array) return data;
      throw new SigilError("input.invalid", "a binary file needs exactly one document with a string 'data' entry", { subject });
    },
    emitEncrypted: (branches) => emitJson(branches, opts.jsonBinaryIndent),
  };
}

/**
 * Every parsed tree checked against MAX_NESTING_DEPTH (without recursion),
 * whatever built it (alias expansion can deepen a tree past what the
 * parser counted), so that no recursive walk can overflow the stack.
 */
function bounded(store: Store): Store {
  const check = (branches: Branches, subject: string | undefined): Branches => {
    for (const branch of branches) {
      if (nestingDepth(branch, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) throw new SigilError("decrypt.parse_failed", TOO_DEEP, { subject });
    }
    return branches;
  };
  return {
    ...store,
    parsePlain: (bytes, subject) => check(store.parsePlain(bytes, subject), subject),
    parseEncrypted: (bytes, subject) => check(store.parseEncrypted(bytes, subject), subject),
  };
}

/** The store for a format; parsing refuses trees nested deeper than MAX_NESTING_DEPTH (`decrypt.parse_failed`). */
export function storeFor(format: SopsFormat, options: Partial<StoreOptions> = {}): Store {
  return bounded(unboundedStore(format, options));
}

function unboundedStore(format: SopsFormat, options: Partial<StoreOptions>): Store {
  const opts = { ...defaultStoreOptions(), ...options };
  switch (format) {
    case "yaml":
      return simple("yaml", "nested", (b, s) => parseYaml(b, s, { maxAliasNodes: opts.maxAliasNodes }), (br) => emitYaml(br, opts.yamlIndent));
    case "json":
      return simple("json", "nested", parseJson, (br) => emitJson(br, opts.jsonIndent));
    case "dotenv":
      return simple("dotenv", "prefixed", parseDotenv, emitDotenv);
    case "ini":
      return simple("ini", "section", parseIni, emitIni);
    default:
      return binaryStore(opts);
  }
}

/** The format sops picks for a path by its extension. Never throws. */
export function detectFormat(path: string): SopsFormat {
  const lower = path;
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".env")) return "dotenv";
  if (lower.endsWith(".ini")) return "ini";
  return "binary";
}

/**
 * A format name as given to `--input-type`/`--output-type`.
 * @throws SigilError `input.invalid` for an unknown name.
 */
export function parseFormat(name: string): SopsFormat {
  const n = name.toLowerCase();
  if (n === "yml") return "yaml";
  if ((SOPS_FORMATS as readonly string[]).includes(n)) return n as SopsFormat;
  throw new SigilError("input.invalid", `unknown file type '${name}': use one of ${SOPS_FORMATS.join(", ")}`);
}
