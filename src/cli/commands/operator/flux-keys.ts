/**
 * A Flux decryption Secret as key providers: every key ending in `.agekey`
 * holds age identities, `sops.vault-token` a Vault token, `sops.aws-kms`
 * AWS credentials (`aws_access_key_id`, `aws_secret_access_key`,
 * `aws_session_token`, as `key: value` or `key=value` lines). The values
 * become the sops-style variables the providers already read; endpoints
 * (`AWS_ENDPOINT_URL_KMS`, `VAULT_ADDR`, …) come from the operator's own environment.
 */
import { registerSecret } from "../../../core/index.js";
import type { ProviderRegistry } from "../../../providers/index.js";
import { buildProviderRegistry } from "../../keys-from-env.js";

const PASSTHROUGH = ["AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL", "AWS_REGION", "VAULT_ADDR", "VAULT_NAMESPACE", "VAULT_CACERT", "VAULT_SKIP_VERIFY"] as const;

function awsLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*(aws_access_key_id|aws_secret_access_key|aws_session_token)\s*[:=]\s*"?([^"\s]+)"?\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1].toUpperCase()] = m[2];
  }
  return out;
}

/** The sops-style environment for a decryption Secret's (decoded) data. */
export function fluxKeysEnv(data: Readonly<Record<string, string>> | undefined, base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = { HOME: "/nonexistent" };
  for (const name of PASSTHROUGH) {
    const v = base[name];
    if (v !== undefined) env[name] = v;
  }
  if (data === undefined) return env;
  const age = Object.entries(data).filter(([k]) => k.endsWith(".agekey")).map(([, v]) => v.trim());
  if (age.length > 0) env["SOPS_AGE_KEY"] = age.join("\n");
  const token = data["sops.vault-token"]?.trim();
  if (token !== undefined && token !== "") env["VAULT_TOKEN"] = token;
  const aws = data["sops.aws-kms"];
  if (aws !== undefined) Object.assign(env, awsLines(aws));
  for (const v of Object.values(env)) if (v.length >= 8 && v !== env["HOME"]) registerSecret(v);
  return env;
}

/** Key providers for a decryption Secret (none but the passthrough endpoints when `data` is undefined). */
export function providersFromFluxSecret(data: Readonly<Record<string, string>> | undefined, base: Readonly<Record<string, string | undefined>>): ProviderRegistry {
  return buildProviderRegistry(fluxKeysEnv(data, base), { homedir: () => "/nonexistent" });
}
