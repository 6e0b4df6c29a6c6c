/**
 * What the kubeseal-facing endpoints do with a posted SealedSecret:
 * `/v1/verify` (can it be unsealed here?) and `/v1/rotate` (re-encrypt it
 * with the newest key). A posted SealedSecret is anyone's input, so its
 * plaintexts are never registered with the redactor (see `openQuietly`).
 */
import { SigilError, isSigilError } from "../../core/index.js";
import {
  decodeBase64Strict,
  encodeBlob,
  hybridEncrypt,
  labelForMeta,
  openWithKey,
  parseManifests,
  renderTemplate,
  splitBlob,
  subjectOf,
  toSealedSecret,
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
 * Open one blob with the keys of `ring` (newest first) without registering
 * the plaintext with the redactor: a posted SealedSecret is anyone's input
 * (the certificate is public), and registering its values would let any
 * caller make the controller blank ordinary words in its own output. The
 * caller zeroes the result. Cache hits are used; nothing is added to the cache.
 * Returns null when no key opens it.
 * @throws SigilError `sealed.invalid_blob` when the blob is not base64, truncated or fails authentication.
 */
function openQuietly(b64: string, what: string, label: Buffer, ring: KeyRing, cache: UnsealCache): Buffer | null {
  const blob = decodeBase64Strict(b64, what);
  const parts = splitBlob(blob);
  const cached = cache.get(label, blob, ring);
  if (cached !== undefined) return cached.plaintext;
  for (const key of ring.keys()) {
    if (key.modulusBytes !== parts.rsaCiphertext.length) continue;
    ring.privateKeyOperations++;
    const plaintext = openWithKey(key.privateKey, parts, label);
    if (plaintext !== null) return plaintext;
  }
  return null;
}

function wipe(values: Iterable<Buffer>): void {
  for (const value of values) value.fill(0);
}

/**
 * True when the keys of `ring` open every value of `ss` and its templates
 * render; false when not. Plaintexts are never registered with the
 * redactor nor cached, and are zeroed before returning.
 */
export function canUnseal(ss: SealedSecretObject, ring: KeyRing, cache: UnsealCache): boolean {
  const label = labelForMeta(ss.metadata);
  const subject = subjectOf("SealedSecret", ss.metadata);
  const values = new Map<string, Buffer>();
  try {
    if (ss.spec.data !== undefined && ss.spec.data !== "") {
      const opened = openQuietly(ss.spec.data, "spec.data", label, ring, cache);
      if (opened === null) return false;
      values.set("", opened);
      return Object.keys(ss.spec.encryptedData).length === 0;
    }
    for (const [key, b64] of Object.entries(ss.spec.encryptedData)) {
      const opened = openQuietly(b64, `encryptedData "${key}"`, label, ring, cache);
      if (opened === null) return false;
      values.set(key, opened);
    }
    for (const [key, source] of Object.entries(ss.spec.template?.data ?? {})) renderTemplate(source, values, { key, subject }).fill(0);
    return true;
  } catch (err) {
    if (isSigilError(err) && err.code.startsWith("sealed.")) return false;
    throw err;
  } finally {
    wipe(values.values());
  }
}

/**
 * `ss` with every ciphertext re-encrypted for the newest key of `ring`
 * (same scope label), the template's name and namespace aligned with the
 * object's, and server-side fields removed. Template data is kept.
 * Plaintexts are never registered with the redactor and are zeroed.
 * @throws SigilError `sealed.no_key` / `sealed.invalid_blob` when a value cannot be opened; `sealed.no_key` when the ring is empty.
 */
export function reencrypt(ss: SealedSecretObject, ring: KeyRing, cache: UnsealCache): SealedSecretObject {
  const newest = ring.newest();
  const subject = subjectOf("SealedSecret", ss.metadata);
  if (newest === undefined) throw new SigilError("sealed.no_key", "the controller has no sealing key", { subject });
  const label = labelForMeta(ss.metadata);
  const reseal = (b64: string, what: string): string => {
    const opened = openQuietly(b64, what, label, ring, cache);
    if (opened === null) throw new SigilError("sealed.no_key", `no key could decrypt ${what}`, { subject });
    try {
      return encodeBlob(hybridEncrypt(newest.publicKey, opened, label));
    } finally {
      opened.fill(0);
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
