/** The cluster's sealing keys, for SealedSecrets in `Inline` mode: read from the key Secrets the SealedSecret controller keeps. */
import { SigilError, describeError } from "../../core/index.js";
import { KeyRing, SEALING_KEY_ACTIVE, SEALING_KEY_LABEL, SEALING_KEY_WRAPPED, loadKeySecret } from "../../decrypt/index.js";
import type { SecretObject } from "../../decrypt/index.js";
import { SECRETS, resourcePath } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import type { ProviderRegistry } from "../../providers/index.js";

/**
 * Every sealing key in `namespace` (plain or provider-wrapped).
 * @throws SigilError `sealed.no_key` when there is none; the failing key's code when one cannot be loaded; `kube.*` when Secrets cannot be listed.
 */
export async function loadSealingKeys(client: KubeClient, namespace: string, providers: ProviderRegistry | undefined): Promise<KeyRing> {
  const page = await client.list<SecretObject>(resourcePath(SECRETS, { namespace }), { labelSelector: `${SEALING_KEY_LABEL} in (${SEALING_KEY_ACTIVE},${SEALING_KEY_WRAPPED})` });
  const ring = new KeyRing();
  for (const secret of page.items) {
    try {
      ring.add(await loadKeySecret(secret, providers, `Secret/${namespace}/${secret.metadata.name ?? ""}`));
    } catch (err) {
      throw new SigilError(err instanceof SigilError ? err.code : "internal", `cannot load a sealing key: ${describeError(err)}`, { subject: `Secret/${namespace}/${secret.metadata.name ?? ""}`, cause: err });
    }
  }
  if (ring.size === 0) throw new SigilError("sealed.no_key", `no sealing keys in namespace '${namespace}' (label ${SEALING_KEY_LABEL})`, { subject: `namespace/${namespace}` });
  return ring;
}
