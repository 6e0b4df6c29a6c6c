/**
 * One kubeconfig file, parsed and with its relative paths resolved against
 * the file's own directory (as kubectl does before merging several files).
 * Only the fields Sigil uses are looked at; everything else is ignored.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { YAMLError, parse as parseYaml } from "yaml";
import { SigilError } from "../../core/index.js";

/** What file reads go through (injected in tests). */
export type ReadFile = (path: string) => Buffer;

/** The default {@link ReadFile}: `fs.readFileSync`. */
export const defaultReadFile: ReadFile = (path) => readFileSync(path);

/** Largest kubeconfig file read (inline certificates make them tens of KiB at most). */
export const MAX_KUBECONFIG_BYTES = 4 * 1024 * 1024;

/** The fields of a cluster, user or context entry, as written in the file. */
export type Fields = Readonly<Record<string, unknown>>;

/** A named entry of `clusters`, `users` or `contexts`, and the file it came from. */
export interface Entry {
  readonly name: string;
  readonly fields: Fields;
  readonly file: string;
}

/** One parsed kubeconfig file. */
export interface KubeconfigFile {
  readonly path: string;
  readonly clusters: readonly Entry[];
  readonly users: readonly Entry[];
  readonly contexts: readonly Entry[];
  readonly currentContext: string | undefined;
}

/** A non-empty string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Cluster and user fields that name files, resolved against the kubeconfig's directory. */
const PATH_FIELDS = ["certificate-authority", "client-certificate", "client-key", "tokenFile"] as const;

function resolvePaths(fields: Record<string, unknown>, base: string): Fields {
  const out: Record<string, unknown> = { ...fields };
  for (const key of PATH_FIELDS) {
    const value = str(out[key]);
    if (value !== undefined && !isAbsolute(value)) out[key] = join(base, value);
  }
  const exec = out["exec"];
  if (isRecord(exec)) {
    // kubectl resolves the exec command only when it is a path (contains a separator), not a bare name looked up on PATH.
    const command = str(exec["command"]);
    if (command?.includes("/") === true && !isAbsolute(command)) out["exec"] = { ...exec, command: join(base, command) };
  }
  return out;
}

function entries(list: unknown, field: "cluster" | "user" | "context", file: string): Entry[] {
  if (!Array.isArray(list)) return [];
  const base = dirname(file);
  const out: Entry[] = [];
  for (const item of list as unknown[]) {
    if (!isRecord(item)) continue;
    const name = str(item["name"]);
    const fields = item[field];
    if (name === undefined) continue;
    out.push({ name, fields: isRecord(fields) ? resolvePaths(fields, base) : {}, file });
  }
  return out;
}

/**
 * Parse one kubeconfig file.
 * @throws SigilError `config.invalid` naming the file when it cannot be read, is too large, or is not YAML. A YAML error is reported by code and position only: its message would quote the lines around the error, and a kubeconfig holds tokens and private keys.
 */
export function parseKubeconfigFile(path: string, read: ReadFile = defaultReadFile): KubeconfigFile {
  let bytes: Buffer;
  try {
    bytes = read(path);
  } catch (cause) {
    throw new SigilError("config.invalid", "the kubeconfig cannot be read", { subject: path, cause });
  }
  if (bytes.length > MAX_KUBECONFIG_BYTES) throw new SigilError("config.invalid", `the kubeconfig is larger than ${MAX_KUBECONFIG_BYTES} bytes`, { subject: path });
  let doc: unknown;
  try {
    doc = parseYaml(bytes.toString("utf8"), { maxAliasCount: 100 });
  } catch (cause) {
    throw loadError(path, cause);
  }
  const root: Record<string, unknown> = isRecord(doc) ? doc : {};
  return {
    path,
    clusters: entries(root["clusters"], "cluster", path),
    users: entries(root["users"], "user", path),
    contexts: entries(root["contexts"], "context", path),
    currentContext: str(root["current-context"]),
  };
}

function loadError(path: string, cause: unknown): SigilError {
  if (!(cause instanceof YAMLError)) return new SigilError("config.invalid", "the kubeconfig does not load", { subject: path });
  const at = cause.linePos?.[0];
  return new SigilError("config.invalid", `the kubeconfig does not load: invalid yaml (${cause.code}${at === undefined ? "" : ` at line ${at.line}, column ${at.col}`})`, { subject: path });
}
