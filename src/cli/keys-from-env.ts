/**
 * Start-up wiring for the key providers: the one place that reads the
 * environment variables the providers depend on, and builds the
 * `ProviderRegistry` the SOPS engine uses. Providers themselves never read
 * `process.env`; they receive what is resolved here.
 */
import { readFile } from "node:fs/promises";
import { homedir as osHomedir } from "node:os";
import { join } from "node:path";
import { SigilError } from "../core/index.js";
import { AgeProvider, ProviderRegistry } from "../providers/index.js";
import type { AgeIdentitySource } from "../providers/index.js";

/** Inline age identities (several per line, `#` lines ignored), as in sops. */
export const SOPS_AGE_KEY_ENV = "SOPS_AGE_KEY";
/** Path of an age key file (may be passphrase-protected), as in sops. */
export const SOPS_AGE_KEY_FILE_ENV = "SOPS_AGE_KEY_FILE";
/**
 * Sigil only (sops has no equivalent: it asks gpg-agent or the terminal):
 * the passphrase for passphrase-protected age key files, for non-interactive use.
 */
export const SIGIL_AGE_PASSPHRASE_ENV = "SIGIL_AGE_PASSPHRASE";
/** Base of the default keys file `$XDG_CONFIG_HOME/sops/age/keys.txt`. */
export const XDG_CONFIG_HOME_ENV = "XDG_CONFIG_HOME";
/** The user's home directory (`~/.config`, `~/.vault-token`). */
export const HOME_ENV = "HOME";
/** Windows: base of the default keys file `%AppData%\sops\age\keys.txt`. */
export const APPDATA_ENV = "AppData";

/** The default age keys file, relative to the user config directory. */
export const DEFAULT_AGE_KEYS_FILE = join("sops", "age", "keys.txt");

export type Env = Readonly<Record<string, string | undefined>>;

export interface ProviderEnvOptions {
  /** Read a whole file (default `node:fs/promises` `readFile`). Missing files must reject with `code: "ENOENT"`. */
  readonly readFile: (path: string) => Promise<Uint8Array>;
  /**
   * Ask the user for a passphrase (no echo). Used for passphrase-protected
   * age key files when `SIGIL_AGE_PASSPHRASE` is not set. Without it such
   * files are reported as unusable.
   */
  readonly prompt?: ((message: string) => Promise<string>) | undefined;
  /** Home directory when `HOME` is not set (default `os.homedir()`). */
  readonly homedir: () => string;
  /** Platform, for the default keys file location (default `process.platform`). */
  readonly platform: NodeJS.Platform;
}

/** Defaults for `buildProviderRegistry`: real files, no prompt, the real home directory and platform. */
export function defaultProviderEnvOptions(): ProviderEnvOptions {
  return { readFile: (path) => readFile(path), homedir: osHomedir, platform: process.platform };
}

/**
 * Build the registry with every provider Sigil has, configured from `env`.
 * Synchronous: nothing is read or contacted until a key is used (age
 * identities are loaded on the first unwrap).
 * Never throws.
 */
export function buildProviderRegistry(env: Env, options: Partial<ProviderEnvOptions> = {}): ProviderRegistry {
  const opts: ProviderEnvOptions = { ...defaultProviderEnvOptions(), ...options };
  return new ProviderRegistry().register(buildAgeProvider(env, opts));
}

/** The age provider alone, configured from `env`. Never throws. */
export function buildAgeProvider(env: Env, options: Partial<ProviderEnvOptions> = {}): AgeProvider {
  const opts: ProviderEnvOptions = { ...defaultProviderEnvOptions(), ...options };
  return new AgeProvider({
    sources: ageIdentitySources(env, opts),
    readFile: opts.readFile,
    passphrase: agePassphraseSource(env, opts),
  });
}

/**
 * Where age identities are looked for, in order: `SOPS_AGE_KEY`,
 * `SOPS_AGE_KEY_FILE`, then the default keys file. Unset variables are kept
 * (with no text or path) so messages can say they were not set.
 */
export function ageIdentitySources(env: Env, options: Partial<ProviderEnvOptions> = {}): AgeIdentitySource[] {
  const opts: ProviderEnvOptions = { ...defaultProviderEnvOptions(), ...options };
  const keyFile = nonEmpty(env[SOPS_AGE_KEY_FILE_ENV]);
  return [
    { location: SOPS_AGE_KEY_ENV, text: env[SOPS_AGE_KEY_ENV] },
    keyFile === undefined
      ? { location: SOPS_AGE_KEY_FILE_ENV }
      : { location: `${SOPS_AGE_KEY_FILE_ENV}=${keyFile}`, path: keyFile, required: true },
    { location: defaultAgeKeysFile(env, opts), path: defaultAgeKeysFile(env, opts) },
  ];
}

/**
 * The locations identities are looked for, as printed in "no matching key"
 * errors (no file is read). For what was actually found, use
 * `describeAgeIdentitySearch`.
 */
export function ageKeyLocations(env: Env, options: Partial<ProviderEnvOptions> = {}): string[] {
  return ageIdentitySources(env, options).map((s) => s.location);
}

/**
 * Where age identities were looked for and what each location gave, e.g.
 * `'SOPS_AGE_KEY' (not set), 'SOPS_AGE_KEY_FILE' (not set), '/home/u/.config/sops/age/keys.txt' (not found)`.
 * Loads the identities if that has not happened yet; contains no key material.
 * Returns `undefined` when the registry has no age provider built here.
 */
export async function describeAgeIdentitySearch(registry: ProviderRegistry): Promise<string | undefined> {
  const provider = registry.get("age");
  return provider instanceof AgeProvider ? provider.searchReport() : undefined;
}

/** `$XDG_CONFIG_HOME/sops/age/keys.txt`, else the platform's user config directory. */
export function defaultAgeKeysFile(env: Env, options: Partial<ProviderEnvOptions> = {}): string {
  const opts: ProviderEnvOptions = { ...defaultProviderEnvOptions(), ...options };
  const xdg = nonEmpty(env[XDG_CONFIG_HOME_ENV]);
  if (xdg !== undefined) return join(xdg, DEFAULT_AGE_KEYS_FILE);
  const home = homeDir(env, opts);
  if (opts.platform === "darwin") return join(home, "Library", "Application Support", DEFAULT_AGE_KEYS_FILE);
  if (opts.platform === "win32") return join(nonEmpty(env[APPDATA_ENV]) ?? join(home, "AppData", "Roaming"), DEFAULT_AGE_KEYS_FILE);
  return join(home, ".config", DEFAULT_AGE_KEYS_FILE);
}

/** `HOME`, else the injected `homedir()`. */
export function homeDir(env: Env, options: Pick<ProviderEnvOptions, "homedir">): string {
  return nonEmpty(env[HOME_ENV]) ?? options.homedir();
}

function agePassphraseSource(env: Env, opts: ProviderEnvOptions): ((location: string) => Promise<string>) | undefined {
  const fromEnv = env[SIGIL_AGE_PASSPHRASE_ENV];
  if (fromEnv !== undefined) return () => Promise.resolve(fromEnv);
  const prompt = opts.prompt;
  if (prompt === undefined) {
    return () =>
      Promise.reject(new SigilError("provider.not_configured", `set ${SIGIL_AGE_PASSPHRASE_ENV} or run in a terminal to enter it`));
  }
  return (location) => prompt(`Enter passphrase for identity '${location}': `);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
