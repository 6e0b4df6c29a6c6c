/**
 * Reading private keys from files, as `kubeseal --recovery-private-key`
 * accepts them: a PEM RSA private key (PKCS#1 or PKCS#8), or a JSON/YAML
 * backup of key Secrets (one Secret, several documents, or a `v1` List).
 * Wrapped key Secrets are unwrapped through a provider registry.
 */
import { SigilError } from "../../core/index.js";
import type { ProviderRegistry } from "../../providers/index.js";
import { looksLikePemPrivateKey, privateKeysFromPem } from "./keys.js";
import type { SealingKey } from "./keys.js";
import { parseManifests, toSecret } from "./manifest.js";
import type { SecretObject } from "./types.js";
import { subjectOf } from "./types.js";
import { loadKeySecret } from "./wrap.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The Secrets of a backup document: itself, or the items of a List. */
function secretsOf(doc: unknown, source: string): SecretObject[] {
  if (isRecord(doc) && (doc["kind"] === "List" || doc["kind"] === "SecretList")) {
    const items = doc["items"];
    if (!Array.isArray(items)) throw new SigilError("input.invalid", "a List must have an items array", { subject: source });
    return items.map((item) => toSecret(item, source));
  }
  return [toSecret(doc, source)];
}

/**
 * Key Secrets in a backup text (JSON or YAML; Secret, multi-document, or List).
 * @throws SigilError `input.invalid` naming `source` when the text is not a Secret backup.
 */
export function keySecretsFromBackup(text: string, source: string): SecretObject[] {
  const secrets = parseManifests(text, source).flatMap((doc) => secretsOf(doc, source));
  if (secrets.length === 0) throw new SigilError("input.invalid", "no private key or key secret found", { subject: source });
  return secrets;
}

/**
 * Every sealing key in a key file.
 * @throws SigilError `input.invalid` naming the file (and Secret) when it holds no usable key; provider errors for wrapped keys.
 */
export async function readKeyFile(text: string, source: string, providers?: ProviderRegistry): Promise<SealingKey[]> {
  if (looksLikePemPrivateKey(text) && !/^\s*[{[]|^\s*(apiVersion|kind):/m.test(text)) return privateKeysFromPem(text, source);
  const publicHalf = /-----BEGIN (CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY)-----/.exec(text)?.[1];
  if (publicHalf !== undefined) {
    const what = publicHalf === "CERTIFICATE" ? "a certificate" : "a public key";
    throw new SigilError("input.invalid", `the file holds ${what}, the public half: unsealing needs the private key (tls.key) or a key Secret backup`, { subject: source });
  }
  const keys: SealingKey[] = [];
  for (const secret of keySecretsFromBackup(text, source)) {
    keys.push(await loadKeySecret(secret, providers, `${source}: ${subjectOf("Secret", secret.metadata)}`));
  }
  return keys;
}
