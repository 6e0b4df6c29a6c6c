/**
 * The sealing paths of `sigil seal`: whole Secrets (`-f`/stdin), single
 * values (`--raw`), and merging into an existing file (`--merge-into`).
 */
import type { KeyObject } from "node:crypto";
import { SigilError, SEAL_MAX_INPUT_BYTES } from "../../../core/index.js";
import {
  formatObject,
  mergeIntoText,
  parseManifests,
  parseScope,
  scopeFromAnnotations,
  sealRaw,
  sealSecret,
  subjectOf,
  toSealedSecret,
  toSecret,
  withScopeAnnotations,
} from "../../../decrypt/sealed-secrets/index.js";
import type { OutputFormat, Scope, SealedSecretObject, SecretObject } from "../../../decrypt/sealed-secrets/index.js";
import type { CliContext } from "../../context.js";
import { readAll } from "../../context.js";
import { checkOutputTarget } from "../../shared/index.js";
import { parseByteSize } from "../decrypt/size.js";
import { outputFormat, readInput, readUserFile, replaceFile } from "./io.js";
import type { Output } from "./io.js";
import type { SealFlags } from "./options.js";
import { resolveNamespace } from "./sources.js";

function flagScope(flags: SealFlags): Scope | undefined {
  return flags.scope === undefined || flags.scope === "" ? undefined : parseScope(flags.scope);
}

interface Overrides {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  /** Scope to use when neither --scope nor the Secret's annotations choose one. */
  readonly fallbackScope?: Scope | undefined;
}

/** Read the input Secrets and seal each one (kubeseal's `Seal`). */
async function sealInput(flags: SealFlags, ctx: CliContext, publicKey: KeyObject, overrides: Overrides): Promise<SealedSecretObject[]> {
  const limit = flags.maxInputSize === undefined ? SEAL_MAX_INPUT_BYTES : parseByteSize(flags.maxInputSize, "--max-input-size");
  const input = await readInput(ctx, flags.secretFile, limit);
  const docs = parseManifests(input.text, input.source);
  if (docs.length === 0) throw new SigilError("input.invalid", "no secrets found; make sure the input is a valid, UTF-8 encoded Secret", { subject: input.source });
  const scope = flagScope(flags);
  let resolved: Promise<ResolvedNamespace> | undefined;
  const namespace = (): Promise<ResolvedNamespace> => (resolved ??= resolveNamespace(flags, ctx));
  const sealed: SealedSecretObject[] = [];
  for (const doc of docs) {
    const secret = toSecret(doc, input.source);
    if (overrides.name !== undefined && overrides.name !== "") secret.metadata.name = overrides.name;
    if (overrides.namespace !== undefined && overrides.namespace !== "") secret.metadata.namespace = overrides.namespace;
    applyScope(secret, scope ?? (ownScopeSet(secret) ? undefined : overrides.fallbackScope));
    await fillNamespace(secret, namespace);
    sealed.push(sealSecret(secret, publicKey, { allowEmptyData: flags.allowEmptyData }));
  }
  return sealed;
}

function ownScopeSet(secret: SecretObject): boolean {
  return scopeFromAnnotations(secret.metadata.annotations) !== "strict";
}

function applyScope(secret: SecretObject, scope: Scope | undefined): void {
  if (scope === undefined) return;
  const annotations = withScopeAnnotations(secret.metadata.annotations, scope);
  if (Object.keys(annotations).length > 0) secret.metadata.annotations = annotations;
  else delete secret.metadata.annotations;
}

type ResolvedNamespace = Awaited<ReturnType<typeof resolveNamespace>>;

/** Fill a missing namespace, and refuse one that differs from an explicit --namespace (unless cluster-wide). The kubeconfig is read only when needed. */
async function fillNamespace(secret: SecretObject, resolve: () => Promise<ResolvedNamespace>): Promise<void> {
  if (scopeFromAnnotations(secret.metadata.annotations) === "cluster-wide") return;
  const { namespace, explicit } = await resolve();
  const own = secret.metadata.namespace ?? "";
  if (explicit && own !== "" && own !== namespace) {
    throw new SigilError("input.invalid", `namespace mismatch: input secret is in namespace "${own}" but "${namespace}" was specified`, {
      subject: subjectOf("Secret", secret.metadata),
    });
  }
  if (own === "") secret.metadata.namespace = namespace;
}

/** `sigil seal`: every input Secret, printed in `format`. */
export async function sealToOutput(flags: SealFlags, ctx: CliContext, publicKey: KeyObject, format: OutputFormat, out: Output): Promise<void> {
  for (const sealed of await sealInput(flags, ctx, publicKey, { name: flags.name })) out.write(formatObject(sealed, format));
}

/** `sigil seal --raw`: one value from stdin or `--from-file [name=]path`, printed as base64 without a newline. */
export async function sealRawToOutput(flags: SealFlags, ctx: CliContext, publicKey: KeyObject, out: Output): Promise<void> {
  const scope = flagScope(flags) ?? "strict";
  const namespace = scope === "cluster-wide" ? "" : (await resolveNamespace(flags, ctx)).namespace;
  if (flags.fromFile.length > 1) throw new SigilError("input.invalid", "must provide only one --from-file when encrypting a single item with --raw");
  const from = flags.fromFile[0];
  const value =
    from === undefined ? await readAll(ctx.stdin) : await readUserFile(from.includes("=") ? from.slice(from.indexOf("=") + 1) : from, "--from-file");
  out.write(sealRaw(value, { scope, namespace, name: flags.name ?? "" }, publicKey));
}

/**
 * `sigil seal --merge-into FILE`: seal the input under the file's own name
 * and namespace and merge the entries into it, rewriting the file in place.
 * Without `-o`, the file keeps its own format (kubeseal would switch it to JSON).
 */
export async function sealMergingInto(flags: SealFlags, ctx: CliContext, publicKey: KeyObject, file: string): Promise<void> {
  await checkOutputTarget(file);
  const text = (await readUserFile(file, "--merge-into")).toString("utf8");
  const [doc, ...rest] = parseManifests(text, file);
  if (doc === undefined || rest.length > 0) throw new SigilError("input.invalid", "--merge-into needs a file with exactly one SealedSecret", { subject: file });
  const original = toSealedSecret(doc, file);
  const sealed = await sealInput(flags, ctx, publicKey, {
    name: original.metadata.name,
    namespace: original.metadata.namespace,
    fallbackScope: scopeFromAnnotations(original.metadata.annotations),
  });
  let merged = text;
  const format = flags.format === undefined ? undefined : outputFormat(flags.format, undefined);
  for (const update of sealed) merged = mergeIntoText(merged, update, file, format);
  await replaceFile(ctx, file, merged);
}
