/**
 * The decrypt step: SOPS-encrypted objects (MAC verified over the file's
 * bytes), SealedSecrets in `Inline` mode (unsealed with the cluster's
 * sealing keys into the Secret the controller would make), and everything
 * else (ExternalSecrets, `Controller`-mode SealedSecrets) passed through.
 * It fails as a whole: one bad object and nothing is returned.
 */
import { SigilError } from "../../core/index.js";
import { SEALED_SECRET_API_VERSION, SEALED_SECRET_KIND, unsealSealedSecret } from "../../decrypt/index.js";
import type { KeyRing, SealedSecretObject, SopsDecryptor } from "../../decrypt/index.js";
import type { SealedSecretsMode } from "../api/types.js";
import { defaultRenderLimits, parseManifests } from "../render/index.js";
import type { KubeObject, Manifest } from "../render/index.js";

export interface DecryptStepOptions {
  readonly sops: SopsDecryptor | undefined;
  readonly sealedSecrets: SealedSecretsMode;
  /** The cluster's sealing keys; called only when an Inline SealedSecret is present. */
  readonly sealingKeys: (() => Promise<KeyRing>) | undefined;
  /** Namespace of a SealedSecret that names none (its scope label needs one). */
  readonly defaultNamespace: string | undefined;
}

/** No SOPS keys, `Controller` mode. */
export function defaultDecryptStepOptions(): DecryptStepOptions {
  return { sops: undefined, sealedSecrets: "Controller", sealingKeys: undefined, defaultNamespace: undefined };
}

function hasSopsMetadata(o: KubeObject): boolean {
  const md = o["sops"];
  return typeof md === "object" && md !== null && "mac" in md;
}

function isSealedSecret(o: KubeObject): boolean {
  return o.apiVersion === SEALED_SECRET_API_VERSION && o.kind === SEALED_SECRET_KIND;
}

async function decryptSops(group: readonly Manifest[], sops: SopsDecryptor | undefined): Promise<Manifest[]> {
  const first = group[0];
  if (first === undefined) return [];
  if (sops === undefined) throw new SigilError("decrypt.no_matching_key", "the file is SOPS-encrypted and no decryption keys are configured", { subject: first.source });
  const bytes = first.encryptedFile ?? Buffer.from(JSON.stringify(first.object));
  const format = first.encryptedFile === undefined ? ("json" as const) : undefined;
  const result = await sops.decrypt({ path: first.source, bytes, format });
  return parseManifests(Buffer.from(result.plaintext).toString("utf8"), first.source, defaultRenderLimits()).map((m) => ({ object: m.object, source: m.source }));
}

function unseal(m: Manifest, ring: KeyRing, defaultNamespace: string | undefined): Manifest {
  const ss = structuredClone(m.object) as unknown as SealedSecretObject;
  if (ss.metadata.namespace === undefined && defaultNamespace !== undefined) ss.metadata.namespace = defaultNamespace;
  const secret = unsealSealedSecret(ss, ring);
  delete secret.metadata.ownerReferences; // there is no SealedSecret object in the cluster to own it
  return { object: secret as unknown as KubeObject, source: m.source };
}

/**
 * Decrypt what needs it (see the module comment).
 * @throws SigilError from the SOPS engine (`decrypt.mac_mismatch`, `decrypt.no_matching_key`, …) or the unsealer (`sealed.no_key`, …), naming the file or object.
 */
export async function decryptManifests(manifests: readonly Manifest[], options: Partial<DecryptStepOptions> = {}): Promise<Manifest[]> {
  const opts = { ...defaultDecryptStepOptions(), ...options };
  const out: Manifest[] = [];
  let ring: KeyRing | undefined;
  const done = new Set<string>();
  for (const m of manifests) {
    if (m.encryptedFile !== undefined || hasSopsMetadata(m.object)) {
      if (m.encryptedFile !== undefined && done.has(m.source)) continue;
      done.add(m.source);
      out.push(...(await decryptSops(m.encryptedFile !== undefined ? manifests.filter((x) => x.source === m.source) : [m], opts.sops)));
    } else if (isSealedSecret(m.object) && opts.sealedSecrets === "Inline") {
      if (opts.sealingKeys === undefined) throw new SigilError("sealed.no_key", "Inline SealedSecrets need the cluster's sealing keys", { subject: m.source });
      ring ??= await opts.sealingKeys();
      out.push(unseal(m, ring, opts.defaultNamespace));
    } else out.push(m);
  }
  return out;
}
