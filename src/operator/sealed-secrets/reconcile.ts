/**
 * Reconciling one SealedSecret into its Secret. `reconcile()` reads as the
 * steps it takes:
 *
 * 1. read the existing Secret;
 * 2. if it carries this SealedSecret's inputs digest and a valid data MAC
 *    (and nothing else drifted), stop: no private-key operation at all.
 *    This step needs only the SealedSecret's head (no ciphertexts: what
 *    the controller caches);
 * 3. fetch the whole SealedSecret and unseal it (through the in-memory cache);
 * 4. decide how to write (create, replace, patch, or refuse an unmanaged Secret);
 * 5. write only if something changed;
 * 6. set the `Synced` condition, and record an Event.
 *
 * A failure at any step leaves the existing Secret untouched.
 */
import { SigilError, describeError, isSigilError, redact } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { subjectOf, toSealedSecret, unsealSealedSecret } from "../../decrypt/sealed-secrets/index.js";
import type { KeyRing, SealedSecretObject, SecretObject, UnsealCache } from "../../decrypt/sealed-secrets/index.js";
import { SEALED_SECRETS, SECRETS, objectKey, resourcePath } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import type { EventRecorder } from "../../kube/runtime/index.js";
import { mergeSecret, sameSecret, signData, verifyData, writeMode, writeSecret } from "../../kube/secrets/index.js";
import type { WriteMode, WriteResult } from "../../kube/secrets/index.js";
import { DATA_MAC_ANNOTATION, INPUTS_ANNOTATION, headOf } from "./fingerprint.js";
import type { SealedSecretHead, SealingMacKeys } from "./fingerprint.js";
import { sealedSecretPolicy, secretSkeleton, unmanagedMessage } from "./secret-write.js";
import { nextStatus } from "./status.js";

/** Event reasons (bitnami's). */
export const REASON_UNSEALED = "Unsealed";
export const REASON_UNSEAL_FAILED = "ErrUnsealFailed";
export const REASON_UPDATE_FAILED = "ErrUpdateFailed";

/** What one reconcile of a SealedSecret did. */
export type SealedSecretReconcileResult = WriteResult | "failed";

/** The result of one reconcile, and whether to retry it. */
export interface SealedSecretReconcileOutcome {
  readonly result: SealedSecretReconcileResult;
  /** Try again later (an API error other than a refusal). */
  readonly retry: boolean;
  readonly error?: SigilError | undefined;
}

/** What the reconciler needs. */
export interface SealedSecretReconcilerDeps {
  readonly client: KubeClient;
  readonly ring: KeyRing;
  readonly cache: UnsealCache;
  readonly macKeys: SealingMacKeys;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly updateStatus: boolean;
  readonly acceptDeprecatedV1Data: boolean;
  /** Hears the key and resourceVersion of each Secret written (to ignore the echo of its own writes). */
  readonly written: (key: string, resourceVersion: string) => void;
}

type Failure = "unseal" | "refused" | "update" | "conflict";

function classify(err: SigilError, stage: "unseal" | "write"): Failure {
  if (err.code === "kube.conflict") return "conflict";
  if (err.code === "sealed.unmanaged_secret") return "refused";
  if (stage === "unseal") return "unseal";
  return "update";
}

/** Reconciles SealedSecrets; one instance per controller. */
export class SealedSecretReconciler {
  readonly #d: SealedSecretReconcilerDeps;

  constructor(deps: SealedSecretReconcilerDeps) {
    this.#d = deps;
  }

  /**
   * Reconcile one SealedSecret, given its head; `load` fetches the whole
   * object (undefined when it is gone), only when it must be unsealed.
   * Never throws.
   */
  async reconcile(head: SealedSecretHead, load: () => Promise<unknown>): Promise<SealedSecretReconcileOutcome> {
    const secretPath = resourcePath(SECRETS, { namespace: head.metadata.namespace, name: head.metadata.name });
    let stage: "unseal" | "write" = "write";
    try {
      const existing = await this.#d.client.get<SecretObject>(secretPath);
      if (existing !== undefined && this.#upToDate(head, existing)) return await this.#finish(head, "unchanged");
      const raw = await load();
      // Deleted or replaced since it was cached: its watch event queues it again.
      if (raw === undefined || (raw as { metadata?: { uid?: string } }).metadata?.uid !== head.metadata.uid) return { result: "unchanged", retry: false };
      stage = "unseal";
      const desired = this.#desired(toSealedSecret(raw, ""));
      stage = "write";
      const mode = writeMode(existing, sealedSecretPolicy(head));
      const next = mergeSecret(existing, desired, mode, sealedSecretPolicy(head));
      return await this.#finish(head, await writeSecret(this.#d.client, existing, next, this.#d.written));
    } catch (err) {
      const error = isSigilError(err) ? err : new SigilError("internal", "reconcile failed", { subject: subjectOf("SealedSecret", head.metadata), cause: err });
      return this.#fail(head, error, classify(error, stage));
    }
  }

  /** Report a SealedSecret that cannot even be read as one (as an unseal failure). Never throws. */
  async reportUnsealFailure(head: SealedSecretHead, error: SigilError): Promise<SealedSecretReconcileOutcome> {
    return this.#fail(head, error, "unseal");
  }

  /** Step 2: the Secret still matches, judged without decrypting anything. */
  #upToDate(head: SealedSecretHead, existing: SecretObject): boolean {
    const keys = head.keys;
    const annotations = existing.metadata.annotations ?? {};
    if (keys === undefined || annotations[INPUTS_ANNOTATION] !== head.inputs) return false;
    let mode: WriteMode;
    try {
      mode = writeMode(existing, sealedSecretPolicy(head));
    } catch {
      return false;
    }
    const data = existing.data ?? {};
    if (mode === "replace" && Object.keys(data).length !== keys.length) return false;
    if (!verifyData(annotations[DATA_MAC_ANNOTATION], data, keys, this.#d.macKeys.lookup((fp) => this.#d.ring.get(fp)))) return false;
    const skeleton = this.#withFingerprints(secretSkeleton(head), head, Object.fromEntries(keys.map((k) => [k, data[k] ?? ""])), annotations[DATA_MAC_ANNOTATION]);
    return sameSecret(existing, mergeSecret(existing, skeleton, mode, sealedSecretPolicy(head)));
  }

  /** Step 3: the full desired Secret (decrypts; throws `sealed.*`). */
  #desired(ss: SealedSecretObject): SecretObject {
    const unsealed = unsealSealedSecret(ss, this.#d.ring, { cache: this.#d.cache, acceptDeprecatedV1Data: this.#d.acceptDeprecatedV1Data });
    const head = headOf(ss);
    const keys = head.keys;
    if (keys === undefined) return unsealed;
    const data = unsealed.data ?? {};
    const newest = this.#d.ring.newest();
    const mac = newest === undefined ? undefined : signData(this.#d.macKeys.of(newest), data, keys);
    return this.#withFingerprints(secretSkeleton(head), head, data, mac);
  }

  #withFingerprints(secret: SecretObject, head: SealedSecretHead, data: Record<string, string>, mac: string | undefined): SecretObject {
    const annotations: Record<string, string> = { ...(secret.metadata.annotations ?? {}), [INPUTS_ANNOTATION]: head.inputs };
    if (mac !== undefined) annotations[DATA_MAC_ANNOTATION] = mac;
    secret.metadata.annotations = annotations;
    secret.data = data;
    return secret;
  }

  /** Step 6, success. */
  async #finish(ss: SealedSecretHead, result: WriteResult): Promise<SealedSecretReconcileOutcome> {
    const wasFalse = ss.status?.conditions?.some((c) => c.type === "Synced" && c.status !== "True") ?? true;
    if (result !== "unchanged" || wasFalse) {
      await this.#d.events.record(subjectFor(ss), "Normal", REASON_UNSEALED, "SealedSecret unsealed successfully");
    }
    if (result !== "unchanged") this.#d.logger.info("unsealed", { sealedSecret: objectKey(ss.metadata), result });
    await this.#status(ss, undefined);
    return { result, retry: false };
  }

  /** Step 6, failure. */
  async #fail(ss: SealedSecretHead, error: SigilError, failure: Failure): Promise<SealedSecretReconcileOutcome> {
    if (failure === "conflict") return { result: "failed", retry: true, error };
    const name = ss.metadata.name ?? "";
    const detail = redact(error.code === "sealed.unmanaged_secret" ? unmanagedMessage(name) : `${error.message} [${error.code}]`);
    const [reason, eventMessage, conditionMessage] =
      failure === "unseal"
        ? [REASON_UNSEAL_FAILED, `Failed to unseal: ${detail}`, detail]
        : error.code === "kube.immutable"
          ? [REASON_UPDATE_FAILED, immutableMessage(objectKey(ss.metadata)), immutableMessage(objectKey(ss.metadata))]
          : failure === "refused"
            ? [REASON_UPDATE_FAILED, detail, `failed update: ${detail}`]
            : [REASON_UPDATE_FAILED, detail, detail];
    this.#d.logger.warn("reconcile failed", { sealedSecret: objectKey(ss.metadata), reason, error: describeError(error) });
    await this.#d.events.record(subjectFor(ss), "Warning", reason, eventMessage);
    await this.#status(ss, conditionMessage);
    return { result: "failed", retry: failure === "update" && error.code !== "kube.immutable", error };
  }

  async #status(ss: SealedSecretHead, message: string | undefined): Promise<void> {
    if (!this.#d.updateStatus) return;
    const status = nextStatus(ss.status, ss.metadata.generation, message, this.#d.clock());
    if (status === undefined) return;
    const path = resourcePath(SEALED_SECRETS, { namespace: ss.metadata.namespace, name: ss.metadata.name, subresource: "status" });
    try {
      await this.#d.client.patch(path, { status }, "merge");
      ss.status = status;
    } catch (err) {
      if (!isSigilError(err, "kube.not_found")) this.#d.logger.warn("could not update the status", { sealedSecret: objectKey(ss.metadata), error: describeError(err) });
    }
  }
}

function subjectFor(ss: SealedSecretHead): { apiVersion: string; kind: string; metadata: SealedSecretHead["metadata"] } {
  return { apiVersion: ss.apiVersion, kind: ss.kind, metadata: ss.metadata };
}

function immutableMessage(key: string): string {
  return `Error updating ${key}: the target Secret is immutable. Once a Secret is marked as immutable, it is not possible to revert this change nor to mutate the contents of the data field. You can only delete and recreate the Secret.`;
}
