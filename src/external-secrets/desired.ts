/**
 * ESO's mutation of the target Secret (`mutationFunc`): ownership checks,
 * the controller reference, removal of the keys this ExternalSecret wrote
 * before (from `managedFields`), the template, and ESO's markers.
 */
import { SigilError } from "../core/index.js";
import { ANNOTATION_DATA_HASH, ES_API_VERSION, ES_GROUP, LABEL_MANAGED, LABEL_MANAGED_VALUE, LABEL_OWNER, fieldOwner } from "./constants.js";
import { dataHash, decodeSecretData, encodeSecretData, ownerLabel } from "./hash.js";
import type { ByteMap } from "./keys.js";
import { applyTemplate } from "./template-apply.js";
import type { DraftSecret, TemplateSources } from "./template-apply.js";
import type { ExternalSecret, OwnerReference, SecretObject } from "./types.js";

/** The keys under `f:<path…>` that `manager` owns in a Secret's managedFields. */
export function managedKeys(secret: SecretObject | undefined, manager: string, path: readonly string[]): string[] {
  const keys: string[] = [];
  for (const entry of secret?.metadata?.managedFields ?? []) {
    if (entry.manager !== manager) continue;
    let node: unknown = entry.fieldsV1;
    for (const p of path) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[`f:${p}`] : undefined;
    if (typeof node !== "object" || node === null) continue;
    for (const k of Object.keys(node)) if (k !== ".") keys.push(k.replace(/^f:/, ""));
  }
  return keys;
}

function controllerOf(secret: SecretObject | undefined): OwnerReference | undefined {
  return secret?.metadata?.ownerReferences?.find((r) => r.controller === true);
}

const groupOf = (apiVersion: string): string => (apiVersion.includes("/") ? apiVersion.split("/")[0] ?? "" : "");

/**
 * The Secret to write for `es`, from the existing one (or a new skeleton) and the provider data.
 * @throws SigilError `es.secret_owned` (another ExternalSecret controls it), `es.secret_conflict` (another controller does), template errors.
 */
export async function desiredSecret(es: ExternalSecret, name: string, existing: SecretObject | undefined, dataMap: ByteMap, sources: TemplateSources): Promise<SecretObject> {
  const esName = es.metadata?.name ?? "";
  const ns = es.metadata?.namespace ?? "";
  const policy = es.spec?.target?.creationPolicy ?? "Owner";
  const owner = controllerOf(existing);
  const ownerIsES = owner !== undefined && groupOf(owner.apiVersion) === ES_GROUP && owner.kind === "ExternalSecret";
  const ownerIsThis = ownerIsES && owner.name === esName;
  if (ownerIsES && !ownerIsThis) throw new SigilError("es.secret_owned", `secret is owned by another ExternalSecret: ${owner.name}`, { subject: `Secret/${ns}/${name}` });
  let refs = [...(existing?.metadata?.ownerReferences ?? [])];
  if (policy === "Owner") {
    if (owner !== undefined && !ownerIsThis) throw new SigilError("es.secret_conflict", `could not set controller reference on secret: already owned by ${owner.kind} ${owner.name}`, { subject: `Secret/${ns}/${name}` });
    refs = refs.filter((r) => r.uid !== es.metadata?.uid);
    refs.push({ apiVersion: ES_API_VERSION, kind: "ExternalSecret", name: esName, uid: es.metadata?.uid ?? "", controller: true, blockOwnerDeletion: true });
  } else if (ownerIsThis) {
    refs = refs.filter((r) => !(r.controller === true && r.name === esName && r.kind === "ExternalSecret"));
  }
  const manager = fieldOwner(esName);
  const draft: DraftSecret = {
    type: existing?.type,
    labels: { ...(existing?.metadata?.labels ?? {}) },
    annotations: { ...(existing?.metadata?.annotations ?? {}) },
    data: decodeSecretData(existing?.data),
  };
  for (const k of managedKeys(existing, manager, ["data"])) draft.data.delete(k);
  draft.labels = omit(draft.labels, managedKeys(existing, manager, ["metadata", "labels"]));
  draft.annotations = omit(draft.annotations, managedKeys(existing, manager, ["metadata", "annotations"]));
  await applyTemplate(es, draft, dataMap, sources);
  if (policy === "Owner") draft.labels[LABEL_OWNER] = ownerLabel(ns, esName);
  else draft.labels = omit(draft.labels, [LABEL_OWNER]);
  draft.labels[LABEL_MANAGED] = LABEL_MANAGED_VALUE;
  draft.annotations[ANNOTATION_DATA_HASH] = dataHash(draft.data);
  const metadata: NonNullable<SecretObject["metadata"]> = { ...(existing?.metadata ?? {}), name, namespace: ns, labels: draft.labels, annotations: draft.annotations };
  if (refs.length > 0) metadata.ownerReferences = refs;
  else delete metadata.ownerReferences;
  delete metadata.managedFields;
  const out: SecretObject = { apiVersion: "v1", kind: "Secret", metadata, data: encodeSecretData(draft.data) };
  if (draft.type !== undefined) out.type = draft.type;
  if (es.spec?.target?.immutable === true || existing?.immutable === true) out.immutable = true;
  return out;
}

function omit(rec: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(rec).filter(([k]) => !keys.includes(k)));
}
