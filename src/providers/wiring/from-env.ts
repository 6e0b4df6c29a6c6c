/**
 * Start-up wiring for the key providers from the environment: the one place
 * that reads the environment variables the providers depend on, and builds
 * the `ProviderRegistry` the SOPS engine uses. The CLI and the operator pass
 * their environment in; providers themselves never read `process.env`.
 * (From a Secret's keys instead: `from-secret.ts`.)
 */
import { homedir as osHomedir, hostname as osHostname } from "node:os";
import { join } from "node:path";
import { SigilError, isGoTrue, readFileNow, registerSecret } from "../../core/index.js";
import type { AgeIdentitySource } from "../age/config.js";
import { AgeProvider } from "../age/provider.js";
import type { KmsClientFactory } from "../awskms/config.js";
import { KmsProvider } from "../awskms/provider.js";
import { sdkKmsClientFactory } from "../awskms/sdk.js";
import { ProviderRegistry } from "../registry.js";
import { nodeVaultClientFactory } from "../vault/client.js";
import type { VaultClientFactory } from "../vault/config.js";
import { VaultTransitProvider } from "../vault/provider.js";

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

/** KMS endpoint override, as the AWS SDKs read it (wins over `AWS_ENDPOINT_URL`). */
export const AWS_ENDPOINT_URL_KMS_ENV = "AWS_ENDPOINT_URL_KMS";
/** STS endpoint override (for `role` assumption; wins over `AWS_ENDPOINT_URL`). */
export const AWS_ENDPOINT_URL_STS_ENV = "AWS_ENDPOINT_URL_STS";
/** Endpoint override for every AWS service. */
export const AWS_ENDPOINT_URL_ENV = "AWS_ENDPOINT_URL";
/** Vault address, used for transit keys whose metadata has no address (sops always writes one). */
export const VAULT_ADDR_ENV = "VAULT_ADDR";
/** Vault token; when unset, the trimmed contents of `~/.vault-token`. */
export const VAULT_TOKEN_ENV = "VAULT_TOKEN";
/** Vault Enterprise / OpenBao namespace, sent as `X-Vault-Namespace`. */
export const VAULT_NAMESPACE_ENV = "VAULT_NAMESPACE";
/** PEM CA bundle for Vault TLS. */
export const VAULT_CACERT_ENV = "VAULT_CACERT";
/** Skip Vault TLS verification (Go `ParseBool` truthy values). */
export const VAULT_SKIP_VERIFY_ENV = "VAULT_SKIP_VERIFY";

/** The token file read when `VAULT_TOKEN` is not set, relative to the home directory. */
export const VAULT_TOKEN_FILE = ".vault-token";

/** The default age keys file, relative to the user config directory. */
export const DEFAULT_AGE_KEYS_FILE = join("sops", "age", "keys.txt");

export type Env = Readonly<Record<string, string | undefined>>;

export interface ProviderEnvOptions {
  /** Read a whole file (default `readFileNow`, core/read-file.ts). Missing files must reject with `code: "ENOENT"`. */
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
  /** Host name for the STS session name `sops@<host>` (default `os.hostname()`). */
  readonly hostname: () => string;
  /** KMS clients (default: AWS SDK clients with the endpoint override from `env`). Inject to fake or count calls. */
  readonly kmsClients?: KmsClientFactory | undefined;
  /** Vault clients (default: node-vault clients with `VAULT_CACERT` / `VAULT_SKIP_VERIFY` from `env`). */
  readonly vaultClients?: VaultClientFactory | undefined;
}

/** Defaults for `buildProviderRegistry`: real files, no prompt, the real home directory and platform. */
export function defaultProviderEnvOptions(): ProviderEnvOptions {
  return { readFile: readFileNow, homedir: osHomedir, platform: process.platform, hostname: osHostname };
}

/**
 * Build the registry with every provider Sigil has, configured from `env`.
 * Synchronous: nothing is read or contacted until a key is used (age
 * identities are loaded on the first unwrap).
 * Never throws.
 */
export function buildProviderRegistry(env: Env, options: Partial<ProviderEnvOptions> = {}): ProviderRegistry {
  const opts: ProviderEnvOptions = { ...defaultProviderEnvOptions(), ...options };
  return new ProviderRegistry()
    .register(buildAgeProvider(env, opts))
    .register(buildKmsProvider(env, opts))
    .register(buildVaultProvider(env, opts));
}

/** Static AWS credentials (as the SDK reads them), taken from the start-up environment. */
export const AWS_ACCESS_KEY_ID_ENV = "AWS_ACCESS_KEY_ID";
export const AWS_SECRET_ACCESS_KEY_ENV = "AWS_SECRET_ACCESS_KEY";
export const AWS_SESSION_TOKEN_ENV = "AWS_SESSION_TOKEN";

/**
 * Static credentials from `env`, so the environment a command was given (not
 * `process.env`, which the SDK's default chain would read) decides. Without
 * both variables, the SDK's default chain (profiles, SSO, web identity,
 * instance metadata) is used. The secret key is registered with the redactor.
 */
export function awsStaticCredentials(env: Env): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  const accessKeyId = nonEmpty(env[AWS_ACCESS_KEY_ID_ENV]);
  const secretAccessKey = nonEmpty(env[AWS_SECRET_ACCESS_KEY_ENV]);
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  registerSecret(secretAccessKey, { pin: true });
  const sessionToken = nonEmpty(env[AWS_SESSION_TOKEN_ENV]);
  if (sessionToken !== undefined) registerSecret(sessionToken, { pin: true });
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

/** The KMS provider alone, configured from `env`. Never throws. */
export function buildKmsProvider(env: Env, options: Partial<ProviderEnvOptions> = {}): KmsProvider {
  const opts: ProviderEnvOptions = { ...defaultProviderEnvOptions(), ...options };
  const common = nonEmpty(env[AWS_ENDPOINT_URL_ENV]);
  const clients =
    opts.kmsClients ??
    sdkKmsClientFactory({
      kmsEndpoint: nonEmpty(env[AWS_ENDPOINT_URL_KMS_ENV]) ?? common,
      stsEndpoint: nonEmpty(env[AWS_ENDPOINT_URL_STS_ENV]) ?? common,
      hostname: opts.hostname(),
      credentials: awsStaticCredentials(env),
    });
  return new KmsProvider({ clients });
}

/** The Vault transit provider alone, configured from `env`. Never throws. */
export function buildVaultProvider(env: Env, options: Partial<ProviderEnvOptions> = {}): VaultTransitProvider {
  const opts: ProviderEnvOptions = { ...defaultProviderEnvOptions(), ...options };
  const clients =
    opts.vaultClients ??
    nodeVaultClientFactory({ caCertFile: nonEmpty(env[VAULT_CACERT_ENV]), skipVerify: isGoTrue(env[VAULT_SKIP_VERIFY_ENV]) });
  return new VaultTransitProvider({
    clients,
    token: vaultTokenSource(env, opts),
    namespace: nonEmpty(env[VAULT_NAMESPACE_ENV]),
    defaultAddress: nonEmpty(env[VAULT_ADDR_ENV]),
  });
}

/**
 * The Vault token: `VAULT_TOKEN`, else the trimmed `~/.vault-token`, else
 * `undefined`. Read once, on first use, and registered as a secret.
 */
export function vaultTokenSource(env: Env, options: Partial<ProviderEnvOptions> = {}): () => Promise<string | undefined> {
  const opts: ProviderEnvOptions = { ...defaultProviderEnvOptions(), ...options };
  let token: Promise<string | undefined> | undefined;
  const load = async (): Promise<string | undefined> => {
    const value = nonEmpty(env[VAULT_TOKEN_ENV]) ?? (await readTokenFile(join(homeDir(env, opts), VAULT_TOKEN_FILE), opts));
    if (value !== undefined) registerSecret(value, { pin: true });
    return value;
  };
  return () => (token ??= load());
}

async function readTokenFile(path: string, opts: ProviderEnvOptions): Promise<string | undefined> {
  try {
    return nonEmpty(Buffer.from(await opts.readFile(path)).toString("utf8").trim());
  } catch (err) {
    if (typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT") return undefined;
    throw new SigilError("provider.not_configured", `the vault token file could not be read`, { subject: path, cause: err });
  }
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
