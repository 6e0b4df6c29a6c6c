/**
 * Migrating plain key Secrets to provider-wrapped ones in place: each plain
 * key is wrapped, the wrapped form is unwrapped again and checked to be the
 * same key, and only then is the Secret replaced (with its resourceVersion,
 * so a concurrent change makes the replace fail instead of losing data).
 */
import { SigilError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import {
  SEALING_KEY_ACTIVE,
  SEALING_KEY_LABEL,
  isWrappedKeySecret,
  loadWrappedKeySecret,
  sealingKeyFromSecret,
  subjectOf,
  wrapKeySecret,
} from "../../decrypt/sealed-secrets/index.js";
import type { SecretObject } from "../../decrypt/sealed-secrets/index.js";
import type { MasterKeyRef, ProviderRegistry } from "../../providers/index.js";
import { SECRETS, resourcePath } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";

/** Plain key Secrets of `namespace` (label `active`, private key in clear). */
export async function plainKeySecrets(client: KubeClient, namespace: string): Promise<SecretObject[]> {
  const page = await client.list<SecretObject>(resourcePath(SECRETS, { namespace }), { labelSelector: `${SEALING_KEY_LABEL}=${SEALING_KEY_ACTIVE}` });
  return page.items.filter((s) => !isWrappedKeySecret(s));
}

/**
 * Wrap every plain key Secret of `namespace` with `ref`. Returns the names of the Secrets wrapped.
 * @throws SigilError `provider.*` when wrapping or the check unwrap fails; `sealed.cert_invalid` when the round trip gives another key; `kube.*` when a Secret cannot be replaced. Secrets already replaced stay wrapped.
 */
export async function wrapPlainKeySecrets(client: KubeClient, namespace: string, ref: MasterKeyRef, providers: ProviderRegistry, logger: Logger): Promise<string[]> {
  const done: string[] = [];
  for (const secret of await plainKeySecrets(client, namespace)) {
    const subject = subjectOf("Secret", secret.metadata);
    const wrapped = await wrapKeySecret(secret, ref, providers);
    const original = sealingKeyFromSecret(secret, subject);
    const roundTrip = await loadWrappedKeySecret(wrapped, providers, subject);
    if (roundTrip.fingerprint !== original.fingerprint) {
      throw new SigilError("sealed.cert_invalid", "the wrapped key does not unwrap to the same key; the Secret was left as it was", { subject });
    }
    await client.replace(resourcePath(SECRETS, { namespace, name: secret.metadata.name }), wrapped);
    logger.info("wrapped a plain sealing key in place", { secret: subject, fingerprint: original.fingerprint });
    done.push(secret.metadata.name ?? "");
  }
  return done;
}
