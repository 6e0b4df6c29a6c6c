/**
 * Key providers built from a Kubernetes Secret's keys, with Flux's
 * conventions (kustomize-controller's `spec.decryption.secretRef`), so a
 * Secret made for Flux works unchanged for an in-cluster Sync:
 *
 * - every key ending in `.agekey` holds age identities (one or more lines);
 * - `sops.vault-token` holds a Vault token;
 * - `sops.aws-kms` holds AWS credentials as YAML: `aws_access_key_id`,
 *   `aws_secret_access_key` and optionally `aws_session_token`.
 *
 * Only what the Secret holds is registered: a key type the Secret has no
 * credentials for gets no provider (`provider.not_configured` when used),
 * so a Sync never borrows the operator's own credentials. Settings that are
 * not credentials (endpoint overrides, the Vault CA, the default Vault
 * address) come from the operator's environment. Every credential is
 * registered with the redactor.
 */
import { hostname as osHostname } from "node:os";
import { YAMLError, parse as parseYaml } from "yaml";
import { SigilError, isGoTrue, registerSecret } from "../../core/index.js";
import { AgeProvider } from "../age/provider.js";
import type { KmsClientFactory } from "../awskms/config.js";
import { KmsProvider } from "../awskms/provider.js";
import { sdkKmsClientFactory } from "../awskms/sdk.js";
import { ProviderRegistry } from "../registry.js";
import { nodeVaultClientFactory } from "../vault/client.js";
import type { VaultClientFactory } from "../vault/config.js";
import { VaultTransitProvider } from "../vault/provider.js";
import { AWS_ENDPOINT_URL_ENV, AWS_ENDPOINT_URL_KMS_ENV, AWS_ENDPOINT_URL_STS_ENV, VAULT_ADDR_ENV, VAULT_CACERT_ENV, VAULT_NAMESPACE_ENV, VAULT_SKIP_VERIFY_ENV } from "./from-env.js";
import type { Env } from "./from-env.js";

/** Keys ending in this hold age identities. */
export const AGE_KEY_SUFFIX = ".agekey";
/** The key holding a Vault token. */
export const VAULT_TOKEN_KEY = "sops.vault-token";
/** The key holding AWS credentials (YAML). */
export const AWS_KMS_KEY = "sops.aws-kms";

/** The Secret the keys come from (values base64, as the API server returns them). */
export interface KeySecret {
  readonly metadata: { readonly name?: string | undefined; readonly namespace?: string | undefined };
  readonly data?: Readonly<Record<string, string>> | undefined;
}

/** Options of {@link buildProviderRegistryFromSecret}. */
export interface SecretProviderOptions {
  /** The operator's environment, for settings that are not credentials. */
  readonly env: Env;
  readonly hostname: () => string;
  /** Largest value read from the Secret. */
  readonly maxValueBytes: number;
  readonly kmsClients?: KmsClientFactory | undefined;
  readonly vaultClients?: VaultClientFactory | undefined;
}

export function defaultSecretProviderOptions(): SecretProviderOptions {
  return { env: {}, hostname: osHostname, maxValueBytes: 64 * 1024 };
}

/**
 * A registry with the providers `secret` holds credentials for.
 * @throws SigilError `config.invalid` naming the Secret and key when a value is too large, or `sops.aws-kms` is not the expected YAML (no value is quoted).
 */
export function buildProviderRegistryFromSecret(secret: KeySecret, options: Partial<SecretProviderOptions> = {}): ProviderRegistry {
  const opts: SecretProviderOptions = { ...defaultSecretProviderOptions(), ...options };
  const subject = `Secret/${secret.metadata.namespace ?? ""}/${secret.metadata.name ?? ""}`;
  const value = (key: string): string | undefined => readValue(secret, key, opts.maxValueBytes, subject);
  const registry = new ProviderRegistry();
  const ageKeys = Object.keys(secret.data ?? {}).filter((k) => k.endsWith(AGE_KEY_SUFFIX)).sort();
  if (ageKeys.length > 0) {
    const sources = ageKeys.map((k) => ({ location: `${subject} key '${k}'`, text: value(k) }));
    registry.register(new AgeProvider({ sources, readFile: () => Promise.reject(new Error("no files are read for a Secret's keys")) }));
  }
  const token = value(VAULT_TOKEN_KEY)?.trim();
  if (token !== undefined && token !== "") registry.register(vaultProvider(token, opts));
  const aws = value(AWS_KMS_KEY);
  if (aws !== undefined) registry.register(kmsProvider(parseAwsCredentials(aws, subject), opts));
  return registry;
}

function readValue(secret: KeySecret, key: string, max: number, subject: string): string | undefined {
  const encoded = secret.data?.[key];
  if (encoded === undefined) return undefined;
  if (encoded.length > Math.ceil(max / 3) * 4) throw new SigilError("config.invalid", `the '${key}' entry is larger than ${max} bytes`, { subject });
  const text = Buffer.from(encoded, "base64").toString("utf8");
  registerSecret(text.trim());
  return text;
}

function vaultProvider(token: string, opts: SecretProviderOptions): VaultTransitProvider {
  const env = opts.env;
  const clients = opts.vaultClients ?? nodeVaultClientFactory({ caCertFile: nonEmpty(env[VAULT_CACERT_ENV]), skipVerify: isGoTrue(env[VAULT_SKIP_VERIFY_ENV]) });
  return new VaultTransitProvider({ clients, token: () => Promise.resolve(token), namespace: nonEmpty(env[VAULT_NAMESPACE_ENV]), defaultAddress: nonEmpty(env[VAULT_ADDR_ENV]) });
}

/** AWS credentials in Flux's format. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * Read the `sops.aws-kms` YAML. Errors name the fields, never their values.
 * @throws SigilError `config.invalid` naming `subject`.
 */
export function parseAwsCredentials(text: string, subject: string): AwsCredentials {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 0 });
  } catch (cause) {
    const where = cause instanceof YAMLError && cause.linePos !== undefined ? ` at line ${cause.linePos[0].line}` : "";
    throw new SigilError("config.invalid", `the '${AWS_KMS_KEY}' entry is not valid yaml${where}`, { subject });
  }
  const fields = typeof doc === "object" && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  const field = (name: string): string | undefined => (typeof fields[name] === "string" && fields[name] !== "" ? fields[name] : undefined);
  const accessKeyId = field("aws_access_key_id");
  const secretAccessKey = field("aws_secret_access_key");
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new SigilError("config.invalid", `the '${AWS_KMS_KEY}' entry needs aws_access_key_id and aws_secret_access_key`, { subject });
  }
  registerSecret(secretAccessKey);
  const sessionToken = field("aws_session_token");
  if (sessionToken !== undefined) registerSecret(sessionToken);
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

function kmsProvider(credentials: AwsCredentials, opts: SecretProviderOptions): KmsProvider {
  const env = opts.env;
  const common = nonEmpty(env[AWS_ENDPOINT_URL_ENV]);
  const clients =
    opts.kmsClients ??
    sdkKmsClientFactory({ kmsEndpoint: nonEmpty(env[AWS_ENDPOINT_URL_KMS_ENV]) ?? common, stsEndpoint: nonEmpty(env[AWS_ENDPOINT_URL_STS_ENV]) ?? common, hostname: opts.hostname(), credentials });
  return new KmsProvider({ clients });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
