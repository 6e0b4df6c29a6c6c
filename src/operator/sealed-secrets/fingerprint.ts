/**
 * How a produced Secret remembers what it was made from, so that
 * re-reconciling an unchanged SealedSecret (after a resync or a restart)
 * needs no RSA private-key operation:
 *
 * - `sealedsecrets.sigil.dev/inputs`: SHA-256 over the OAEP label and the
 *   SealedSecret's whole `spec` (ciphertexts and template) in canonical
 *   JSON. Only public inputs are hashed, never plaintext.
 * - `sealedsecrets.sigil.dev/data-mac`: the shared keyed data MAC
 *   (`src/kube/secrets`), keyed with a key derived from a sealing private
 *   key (named by its fingerprint): computing it needs the private key.
 */
import { createHash } from "node:crypto";
import type { ObjectMeta, SealedSecretObject, SealedSecretStatus, SealingKey, SecretTemplate } from "../../decrypt/sealed-secrets/index.js";
import { SEALED_SECRET_API_VERSION, SEALED_SECRET_KIND, labelForMeta } from "../../decrypt/sealed-secrets/index.js";
import { canonicalJson } from "../../kube/secrets/index.js";
import type { MacKey } from "../../kube/secrets/index.js";

/** Annotation holding the digest of the encrypted inputs. */
export const INPUTS_ANNOTATION = "sealedsecrets.sigil.dev/inputs";
/** Annotation holding the keyed MAC of the produced data. */
export const DATA_MAC_ANNOTATION = "sealedsecrets.sigil.dev/data-mac";

const INPUTS_VERSION = "v1";
const MAC_CONTEXT = "sigil sealed-secrets data-mac v1\0";

/** `v1:` + base64 SHA-256 of the label and the canonical spec. */
export function inputsDigest(ss: SealedSecretObject): string {
  const label = labelForMeta(ss.metadata);
  const digest = createHash("sha256")
    .update(`${INPUTS_VERSION}\0`)
    .update(label.toString("base64"))
    .update("\0")
    .update(canonicalJson(ss.spec))
    .digest("base64");
  return `${INPUTS_VERSION}:${digest}`;
}

/** The data keys a SealedSecret produces (encryptedData and template data); undefined for the v1 format, whose keys are inside the blob. */
export function producedKeys(ss: SealedSecretObject): string[] | undefined {
  if (ss.spec.data !== undefined && ss.spec.data !== "") return undefined;
  const keys = new Set([...Object.keys(ss.spec.encryptedData), ...Object.keys(ss.spec.template?.data ?? {})]);
  return [...keys].sort();
}

/**
 * A SealedSecret without its ciphertexts: what a reconcile needs to decide
 * that the produced Secret is current (its inputs digest and data keys),
 * to build the Secret's metadata (the template) and to report (metadata,
 * status). The controller caches this form, not the object: the
 * ciphertexts are most of a SealedSecret's size (about 2 KB per value at
 * RSA-4096), and they are only needed for an unseal, which fetches the
 * object.
 */
export interface SealedSecretHead {
  readonly apiVersion: typeof SEALED_SECRET_API_VERSION;
  readonly kind: typeof SEALED_SECRET_KIND;
  readonly metadata: ObjectMeta;
  readonly spec: { readonly template?: SecretTemplate };
  status?: SealedSecretStatus;
  /** {@link producedKeys} of the whole object. */
  readonly keys: string[] | undefined;
  /** {@link inputsDigest} of the whole object. */
  readonly inputs: string;
}

/** The head of a (validated) SealedSecret; it shares the object's metadata, template and status. */
export function headOf(ss: SealedSecretObject): SealedSecretHead {
  const template = ss.spec.template;
  const head: SealedSecretHead = {
    apiVersion: SEALED_SECRET_API_VERSION,
    kind: SEALED_SECRET_KIND,
    metadata: ss.metadata,
    spec: template === undefined ? {} : { template },
    keys: producedKeys(ss),
    inputs: inputsDigest(ss),
  };
  if (ss.status !== undefined) head.status = ss.status;
  return head;
}

/** Derives and remembers one data-MAC key per sealing key (named by the key's fingerprint). */
export class SealingMacKeys {
  readonly #keys = new Map<string, MacKey>();

  /** The MAC key of `key`: SHA-256 over a context string and the private key's DER. */
  of(key: SealingKey): MacKey {
    let mac = this.#keys.get(key.fingerprint);
    if (mac === undefined) {
      const der = key.privateKey.export({ format: "der", type: "pkcs1" });
      mac = { id: key.fingerprint, key: createHash("sha256").update(MAC_CONTEXT).update(der).digest() };
      der.fill(0);
      this.#keys.set(key.fingerprint, mac);
    }
    return mac;
  }

  /** A lookup for `verifyData` over the keys `find` still knows. */
  lookup(find: (fingerprint: string) => SealingKey | undefined): (id: string) => MacKey | undefined {
    return (id) => {
      const key = find(id);
      return key === undefined ? undefined : this.of(key);
    };
  }
}
