/**
 * The real KMS clients, on the AWS SDK v3. Credentials come from the SDK's
 * default chain (environment, shared config and `profile`, SSO, web
 * identity, instance metadata); the endpoint override and the STS session
 * name are injected from start-up. Clients are cached per region/role/profile.
 * The SDK is imported on first use (≈ 35 MB of a process's memory for KMS and
 * STS), so processes that never call KMS never load it.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import { SigilError } from "../../core/index.js";
import { stsSessionName } from "./arn.js";
import type { KmsClient, KmsClientFactory, KmsClientParams } from "./config.js";
import { mapKmsError } from "./errors.js";

export interface SdkKmsOptions {
  /** `AWS_ENDPOINT_URL_KMS` / `AWS_ENDPOINT_URL`, resolved at start-up. */
  readonly kmsEndpoint?: string | undefined;
  /** `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`, resolved at start-up. */
  readonly stsEndpoint?: string | undefined;
  /** Host name for the STS session name `sops@<host>`. */
  readonly hostname: string;
  /** SDK attempts per call (default 3, as the SDK). */
  readonly maxAttempts: number;
  /** Static credentials instead of the SDK default chain (tests, emulators). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string } | undefined;
  /** The clock that decides when assumed-role credentials near expiry (milliseconds since the epoch). */
  readonly now: () => number;
}

export function defaultSdkKmsOptions(): SdkKmsOptions {
  return { hostname: "localhost", maxAttempts: 3, now: Date.now };
}

/** Assumed-role credentials are renewed this long before they expire (as the SDK does). */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

type Credentials = NonNullable<SdkKmsOptions["credentials"]> & { readonly expiration?: Date };

/**
 * A factory of SDK-backed clients. Nothing is contacted until a call is made.
 * Never throws.
 */
export function sdkKmsClientFactory(options: Partial<SdkKmsOptions> = {}): KmsClientFactory {
  const opts: SdkKmsOptions = { ...defaultSdkKmsOptions(), ...options };
  const cache = new Map<string, KmsClient>();
  return (params) => {
    const id = JSON.stringify([params.region, params.role ?? "", params.profile ?? ""]);
    let client = cache.get(id);
    if (client === undefined) {
      client = new SdkKmsClient(() => newKmsClient(params, opts));
      cache.set(id, client);
    }
    return client;
  };
}

/**
 * Static credentials apply only to keys without an `aws_profile`: a key that
 * names a profile uses that profile, as the SDK's own chain would.
 */
function baseCredentials(params: KmsClientParams, opts: SdkKmsOptions): SdkKmsOptions["credentials"] {
  return params.profile === undefined ? opts.credentials : undefined;
}

async function newKmsClient(params: KmsClientParams, opts: SdkKmsOptions): Promise<KMSClient> {
  const { KMSClient } = await import("@aws-sdk/client-kms");
  const credentials = params.role === undefined ? baseCredentials(params, opts) : assumeRoleCredentials(params, params.role, opts);
  return new KMSClient({
    region: params.region,
    maxAttempts: opts.maxAttempts,
    ...(opts.kmsEndpoint === undefined ? {} : { endpoint: opts.kmsEndpoint }),
    ...(params.profile === undefined ? {} : { profile: params.profile }),
    ...(credentials === undefined ? {} : { credentials }),
  });
}

/**
 * A credentials provider that assumes `role`, cached until five minutes before
 * expiry by `opts.now`, with concurrent calls sharing one AssumeRole. It is
 * marked `memoized` (the SDK's public AwsSdkSigV4Memoized flag) so the SDK
 * does not wrap it in a second cache that would decide on the real clock.
 */
function assumeRoleCredentials(params: KmsClientParams, role: string, opts: SdkKmsOptions): (() => Promise<Credentials>) & { memoized: boolean } {
  let cached: Credentials | undefined;
  let pending: Promise<Credentials> | undefined;
  const provider = async (): Promise<Credentials> => {
    const fresh = cached?.expiration === undefined || cached.expiration.getTime() - opts.now() > REFRESH_BEFORE_EXPIRY_MS;
    if (cached !== undefined && fresh) return cached;
    pending ??= assumeRole(params, role, opts).finally(() => {
      pending = undefined;
    });
    cached = await pending;
    return cached;
  };
  return Object.assign(provider, { memoized: true });
}

/** One STS AssumeRole call. */
async function assumeRole(params: KmsClientParams, role: string, opts: SdkKmsOptions): Promise<Credentials> {
  const base = baseCredentials(params, opts);
  const { AssumeRoleCommand, STSClient } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({
    region: params.region,
    maxAttempts: opts.maxAttempts,
    ...(opts.stsEndpoint === undefined ? {} : { endpoint: opts.stsEndpoint }),
    ...(params.profile === undefined ? {} : { profile: params.profile }),
    ...(base === undefined ? {} : { credentials: base }),
  });
  const out = await sts
    .send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: stsSessionName(opts.hostname) }))
    .catch((err: unknown) => {
      throw mapKmsError(err, `assuming role ${role}`, role);
    });
  const c = out.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
    throw new SigilError("provider.failed", `sts returned no credentials for role ${role}`, { subject: role });
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
    ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
  };
}

class SdkKmsClient implements KmsClient {
  readonly #make: () => Promise<KMSClient>;
  #client: Promise<KMSClient> | undefined;
  constructor(make: () => Promise<KMSClient>) {
    this.#make = make;
  }
  async encrypt(input: Parameters<KmsClient["encrypt"]>[0]): ReturnType<KmsClient["encrypt"]> {
    const { EncryptCommand } = await import("@aws-sdk/client-kms");
    return (await this.#sdk()).send(new EncryptCommand({ ...input, EncryptionContext: { ...input.EncryptionContext } }));
  }
  async decrypt(input: Parameters<KmsClient["decrypt"]>[0]): ReturnType<KmsClient["decrypt"]> {
    const { DecryptCommand } = await import("@aws-sdk/client-kms");
    return (await this.#sdk()).send(new DecryptCommand({ ...input, EncryptionContext: { ...input.EncryptionContext } }));
  }
  #sdk(): Promise<KMSClient> {
    this.#client ??= this.#make();
    return this.#client;
  }
}
