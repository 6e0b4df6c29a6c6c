/**
 * Writing the produced Secret as ESO does: create / update (PUT, only when
 * something changed) with ESO's field manager, so `managedFields` tell
 * later reconciles (Sigil's or ESO's) which keys this ExternalSecret wrote;
 * immutable Secrets are never rewritten; orphans of `creationPolicy: Owner`
 * are deleted.
 */
import { SigilError } from "../../core/index.js";
import { SECRETS, resourcePath } from "../../kube/index.js";
import type { KubeClient, SecretObject as KubeSecret } from "../../kube/index.js";
import { canonicalJson, sameSecret } from "../../kube/secrets/index.js";
import { LABEL_OWNER, desiredSecret, fieldOwner, ownerLabel } from "../../external-secrets/index.js";
import { CONFIG_MAPS } from "./resources.js";
import type { ByteMap, ExternalSecret, SecretObject, TemplateSources } from "../../external-secrets/index.js";

/** What a write did. */
export type WriteResult = "created" | "updated" | "unchanged";

/** True when writing `next` over `existing` changes nothing: the shared `sameSecret` view, plus immutability. */
export function secretUnchanged(existing: SecretObject, next: SecretObject): boolean {
  const meta = (s: SecretObject): KubeSecret => ({ ...s, apiVersion: "v1", kind: "Secret", metadata: s.metadata ?? {} });
  return sameSecret(meta(existing), meta(next)) && (existing.immutable === true) === (next.immutable === true);
}

/** Template sources read from the ExternalSecret's namespace. */
export function templateSources(client: KubeClient, ns: string): TemplateSources {
  return {
    configMap: async (name) => (await client.get<{ data?: Record<string, string> }>(resourcePath(CONFIG_MAPS, { namespace: ns, name })))?.data ?? (undefined as Record<string, string> | undefined),
    secret: async (name) => {
      const s = await client.get<{ data?: Record<string, string> }>(resourcePath(SECRETS, { namespace: ns, name }));
      if (s === undefined) return undefined;
      return new Map(Object.entries(s.data ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, "base64"))]));
    },
  };
}

/**
 * Create or update the Secret `name` for `es`.
 * @throws SigilError `es.secret_owned`, `es.secret_conflict`, `es.secret_immutable`, template errors, `kube.*`.
 */
export async function writeSecret(client: KubeClient, es: ExternalSecret, name: string, existing: SecretObject | undefined, data: ByteMap): Promise<WriteResult> {
  const ns = es.metadata?.namespace ?? "";
  const query = { fieldManager: fieldOwner(es.metadata?.name ?? "") };
  const next = await desiredSecret(es, name, existing, data, templateSources(client, ns));
  if (existing === undefined) {
    await client.create(resourcePath(SECRETS, { namespace: ns }), next, query);
    return "created";
  }
  if (secretUnchanged(existing, next)) return "unchanged";
  if (existing.immutable === true) {
    const sameData = canonicalJson(existing.data ?? {}) === canonicalJson(next.data ?? {}) && (existing.type ?? "Opaque") === (next.type ?? existing.type ?? "Opaque");
    if (!sameData) throw new SigilError("es.secret_immutable", `unable to update secret ${name}: secret is immutable`, { subject: `Secret/${ns}/${name}` });
  }
  await client.replace(resourcePath(SECRETS, { namespace: ns, name }), next, query);
  return "updated";
}

/** Delete Secrets this ExternalSecret created under another name (ESO `deleteOrphanedSecrets`); returns how many. */
export async function deleteOrphans(client: KubeClient, es: ExternalSecret, name: string): Promise<number> {
  const ns = es.metadata?.namespace ?? "";
  const label = `${LABEL_OWNER}=${ownerLabel(ns, es.metadata?.name ?? "")}`;
  const list = await client.list<SecretObject>(resourcePath(SECRETS, { namespace: ns }), { labelSelector: label });
  let n = 0;
  for (const s of list.items) {
    const other = s.metadata?.name ?? "";
    if (other === "" || other === name) continue;
    await client.delete(resourcePath(SECRETS, { namespace: ns, name: other }));
    n++;
  }
  return n;
}
