/**
 * Unsealing: a SealedSecret (and the keys in a ring) to the Secret it
 * describes (docs/formats.md#b1-hybrid-blob, #b5-producing-the-secret step 2). The label always comes from the
 * SealedSecret's own metadata. Every plaintext is registered with the
 * redactor before anything else can see it.
 */
import { SigilError, registerSecret } from "../../core/index.js";
import type { UnsealCache } from "./cache.js";
import { decodeBase64Strict, openWithKey, splitBlob } from "./codec.js";
import { SEALED_SECRET_API_VERSION, SEALED_SECRET_KIND, SKIP_SET_OWNER_REFERENCES_ANNOTATION } from "./constants.js";
import type { KeyRing, SealingKey } from "./keys.js";
import { diagnoseScope } from "./diagnose.js";
import { toSecret } from "./manifest.js";
import { labelForMeta } from "./scope.js";
import { renderTemplate } from "./template.js";
import type { ObjectMeta, SealedSecretObject, SecretObject } from "./types.js";
import { subjectOf } from "./types.js";

/** Options of {@link unsealSealedSecret}. */
export interface UnsealOptions {
  /** Results cache (by label + ciphertext digest + key). */
  readonly cache: UnsealCache | undefined;
  /** Accept the deprecated v1 `spec.data` blob (bitnami `--accept-deprecated-v1-data`, default true). */
  readonly acceptDeprecatedV1Data: boolean;
  /** On failure, try the other scopes' labels to report a renamed/moved object as `sealed.scope_mismatch`. */
  readonly diagnoseScope: boolean;
}

export function defaultUnsealOptions(): UnsealOptions {
  return { cache: undefined, acceptDeprecatedV1Data: true, diagnoseScope: true };
}

/** The result of opening one blob. */
export interface OpenedBlob {
  readonly plaintext: Buffer;
  /** Fingerprint of the key that opened it. */
  readonly fingerprint: string;
}

/**
 * Open a decoded blob with the keys of `ring` (newest first), through `cache` when given.
 * Returns `null` when no key opens it under `label`. The plaintext is registered with the redactor.
 * @throws SigilError `sealed.invalid_blob` when the blob is truncated or its payload fails authentication.
 */
export function openBlob(blob: Buffer, label: Buffer, ring: KeyRing, cache?: UnsealCache): OpenedBlob | null {
  const parts = splitBlob(blob);
  const cached = cache?.get(label, blob, ring);
  if (cached !== undefined) {
    registerSecret(cached.plaintext);
    return cached;
  }
  for (const key of candidates(ring, parts.rsaCiphertext.length)) {
    ring.privateKeyOperations++;
    const plaintext = openWithKey(key.privateKey, parts, label);
    if (plaintext === null) continue;
    registerSecret(plaintext);
    cache?.set(label, blob, key.fingerprint, plaintext);
    return { plaintext, fingerprint: key.fingerprint };
  }
  return null;
}

function candidates(ring: KeyRing, rsaLength: number): SealingKey[] {
  return ring.keys().filter((key) => key.modulusBytes === rsaLength);
}

interface ValueContext {
  readonly subject: string;
  readonly what: string;
  readonly meta: ObjectMeta;
  readonly template: ObjectMeta | undefined;
}

/** Give a codec error the object as subject and the value as context. */
function located<T>(ctx: ValueContext, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof SigilError) || err.subject !== undefined) throw err;
    const message = err.message.startsWith(ctx.what) ? err.message : `${ctx.what}: ${err.message}`;
    throw new SigilError(err.code, message, { subject: ctx.subject, cause: err.cause });
  }
}

function decryptValue(b64: string, label: Buffer, ring: KeyRing, ctx: ValueContext, opts: UnsealOptions): Buffer {
  const blob = located(ctx, () => decodeBase64Strict(b64, ctx.what));
  const opened = located(ctx, () => openBlob(blob, label, ring, opts.cache));
  if (opened !== null) return opened.plaintext;
  const mismatch = opts.diagnoseScope ? diagnoseScope(blob, ctx.meta, ctx.template, ring) : undefined;
  if (mismatch !== undefined) {
    throw new SigilError("sealed.scope_mismatch", `${ctx.what} was sealed for ${mismatch}, so it cannot be unsealed as this object`, {
      subject: ctx.subject,
    });
  }
  throw new SigilError("sealed.no_key", `no key could decrypt ${ctx.what} (tried ${ring.size} key${ring.size === 1 ? "" : "s"})`, {
    subject: ctx.subject,
  });
}

/** Run `fn` for each key, collecting SigilErrors so every failing key is reported at once. */
function eachKey(keys: readonly string[], errors: SigilError[], fn: (key: string) => void): void {
  for (const key of keys) {
    try {
      fn(key);
    } catch (err) {
      if (!(err instanceof SigilError)) throw err;
      errors.push(err);
    }
  }
}

function combine(errors: readonly SigilError[], subject: string): SigilError | undefined {
  const [first] = errors;
  if (first === undefined) return undefined;
  if (errors.length === 1) return first;
  return new SigilError(first.code, errors.map((e) => e.message).join("; "), { subject, cause: first });
}

function ownerReferences(ss: SealedSecretObject): SecretObject["metadata"]["ownerReferences"] {
  return [{ apiVersion: SEALED_SECRET_API_VERSION, kind: SEALED_SECRET_KIND, name: ss.metadata.name ?? "", uid: ss.metadata.uid ?? "", controller: true }];
}

function finish(secret: SecretObject, ss: SealedSecretObject): SecretObject {
  secret.metadata.name = ss.metadata.name ?? "";
  if (ss.metadata.namespace !== undefined) secret.metadata.namespace = ss.metadata.namespace;
  else delete secret.metadata.namespace;
  const skip = ss.spec.template?.metadata?.annotations?.[SKIP_SET_OWNER_REFERENCES_ANNOTATION] === "true";
  const refs = ownerReferences(ss);
  if (!skip && refs !== undefined) secret.metadata.ownerReferences = refs;
  return secret;
}

/**
 * Unseal a SealedSecret into the Secret the controller would produce:
 * template metadata with name and namespace forced, type, immutable, data =
 * decrypted values plus rendered templates, and a controller ownerReference
 * unless `skip-set-owner-references`.
 * @throws SigilError `sealed.invalid_blob`, `sealed.no_key`, `sealed.scope_mismatch` or `sealed.template_failed` naming the failing keys; `input.invalid` for a v1 object that also has `encryptedData` (or when v1 is not accepted).
 */
export function unsealSealedSecret(ss: SealedSecretObject, ring: KeyRing, options: Partial<UnsealOptions> = {}): SecretObject {
  const opts = { ...defaultUnsealOptions(), ...options };
  const subject = subjectOf(SEALED_SECRET_KIND, ss.metadata);
  if (ss.spec.data !== undefined && ss.spec.data !== "") return finish(unsealV1(ss, ring, subject, opts), ss);
  const label = labelForMeta(ss.metadata);
  const template = ss.spec.template;
  const templateMeta = template?.metadata ?? undefined;
  const values = new Map<string, Buffer>();
  const errors: SigilError[] = [];
  const ctxFor = (key: string): ValueContext => ({ subject, what: `encryptedData "${key}"`, meta: ss.metadata, template: templateMeta });
  eachKey(Object.keys(ss.spec.encryptedData).sort(), errors, (key) => {
    values.set(key, decryptValue(ss.spec.encryptedData[key] ?? "", label, ring, ctxFor(key), opts));
  });
  const rendered = new Map<string, Buffer>();
  if (errors.length === 0) {
    const templates = template?.data ?? {};
    eachKey(Object.keys(templates).sort(), errors, (key) => {
      const out = renderTemplate(templates[key] ?? "", values, { key, subject });
      registerSecret(out);
      rendered.set(key, out);
    });
  }
  const failure = combine(errors, subject);
  if (failure !== undefined) throw failure;
  const data: Record<string, string> = {};
  for (const [key, value] of [...values, ...rendered]) data[key] = value.toString("base64");
  return finish(secretFromTemplate(ss, data), ss);
}

function secretFromTemplate(ss: SealedSecretObject, data: Record<string, string>): SecretObject {
  const template = ss.spec.template;
  const meta = structuredClone(template?.metadata ?? {});
  const secret: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: meta, data };
  if (template?.type !== undefined) secret.type = template.type;
  if (template?.immutable !== undefined) secret.immutable = template.immutable;
  return secret;
}

function unsealV1(ss: SealedSecretObject, ring: KeyRing, subject: string, opts: UnsealOptions): SecretObject {
  if (!opts.acceptDeprecatedV1Data) {
    throw new SigilError("input.invalid", "uses the deprecated 'spec.data' field, which is not accepted (use 'encryptedData')", { subject });
  }
  if (Object.keys(ss.spec.encryptedData).length > 0) {
    throw new SigilError("input.invalid", "cannot use the field 'encryptedData' and the deprecated field 'data' at the same time", { subject });
  }
  const ctx: ValueContext = { subject, what: "spec.data", meta: ss.metadata, template: ss.spec.template?.metadata ?? undefined };
  const plaintext = decryptValue(ss.spec.data ?? "", labelForMeta(ss.metadata), ring, ctx, opts);
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext.toString("utf8"));
  } catch {
    throw new SigilError("sealed.invalid_blob", "spec.data does not hold a json secret", { subject });
  }
  const secret = toSecret(parsed, subject);
  for (const value of Object.values(secret.data ?? {})) registerSecret(Buffer.from(value, "base64"));
  for (const value of Object.values(secret.stringData ?? {})) registerSecret(value);
  return secret;
}
