/**
 * What the kubeseal-facing endpoints do with a posted SealedSecret:
 * `/v1/verify` (can it be unsealed here?) and `/v1/rotate` (re-encrypt it
 * with the newest key).
 */
import { SigilError, isSigilError } from "../../core/index.js";
import {
  decodeBase64Strict,
  encodeBlob,
  hybridEncrypt,
  labelForMeta,
  openBlob,
  parseManifests,
  subjectOf,
  toSealedSecret,
  unsealSealedSecret,
} from "../../decrypt/sealed-secrets/index.js";
import type { KeyRing, SealedSecretObject, UnsealCache } from "../../decrypt/sealed-secrets/index.js";

/** Fields of a live object that must not travel into a manifest. */
const SERVER_FIELDS = ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"];

/**
 * Parse a request body holding exactly one SealedSecret (JSON or YAML).
 * @throws SigilError `input.invalid` when it is not one SealedSecret.
 */
export function parseSealedSecretBody(text: string): SealedSecretObject {
  const docs = parseManifests(text, "request body");
  const [first] = docs;
  if (docs.length !== 1 || first === undefined) throw new SigilError("input.invalid", `expected exactly one SealedSecret, found ${docs.length} documents`, { subject: "request body" });
  return toSealedSecret(first, "");
}

/**
 * True when the keys of `ring` unseal `ss` (values and templates), false when they do not.
 * @throws SigilError for anything other than an unseal failure (none expected).
 */
export function canUnseal(ss: SealedSecretObject, ring: KeyRing, cache: UnsealCache): boolean {
  try {
    unsealSealedSecret(ss, ring, { cache, diagnoseScope: false });
    return true;
  } catch (err) {
    if (isSigilError(err) && (err.code.startsWith("sealed.") || err.code === "input.invalid")) return false;
    throw err;
  }
}

/**
 * `ss` with every ciphertext re-encrypted for the newest key of `ring`
 * (same scope label), the template's name and namespace aligned with the
 * object's, and server-side fields removed. Template data is kept.
 * @throws SigilError `sealed.no_key` / `sealed.invalid_blob` when a value cannot be opened; `sealed.no_key` when the ring is empty.
 */
export function reencrypt(ss: SealedSecretObject, ring: KeyRing, cache: UnsealCache): SealedSecretObject {
  const newest = ring.newest();
  const subject = subjectOf("SealedSecret", ss.metadata);
  if (newest === undefined) throw new SigilError("sealed.no_key", "the controller has no sealing key", { subject });
  const label = labelForMeta(ss.metadata);
  const reseal = (b64: string, what: string): string => {
    const opened = openBlob(decodeBase64Strict(b64, what), label, ring, cache);
    if (opened === null) throw new SigilError("sealed.no_key", `no key could decrypt ${what}`, { subject });
    try {
      return encodeBlob(hybridEncrypt(newest.publicKey, opened.plaintext, label));
    } finally {
      opened.plaintext.fill(0);
    }
  };
  const out = structuredClone(ss);
  out.metadata = Object.fromEntries(Object.entries(out.metadata).filter(([field]) => !SERVER_FIELDS.includes(field)));
  delete out.status;
  out.spec.encryptedData = Object.fromEntries(Object.entries(ss.spec.encryptedData).map(([k, v]) => [k, reseal(v, `encryptedData "${k}"`)]));
  if (ss.spec.data !== undefined && ss.spec.data !== "") out.spec.data = reseal(ss.spec.data, "spec.data");
  alignTemplate(out);
  return out;
}

function alignTemplate(ss: SealedSecretObject): void {
  const template = (ss.spec.template ??= {});
  const meta = (template.metadata ??= {});
  if (ss.metadata.name !== undefined) meta.name = ss.metadata.name;
  if (ss.metadata.namespace !== undefined) meta.namespace = ss.metadata.namespace;
}
