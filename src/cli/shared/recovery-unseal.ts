/**
 * Offline unsealing with private keys (`kubeseal --recovery-unseal`): PEM
 * keys or key-Secret backups (plain, or wrapped by a key provider), all
 * tried; the label is computed from each SealedSecret's own metadata.
 */
import { SigilError } from "../../core/index.js";
import { KeyRing, formatObject, parseManifests, readKeyFile, toSealedSecret, unsealSealedSecret } from "../../decrypt/sealed-secrets/index.js";
import type { OutputFormat } from "../../decrypt/sealed-secrets/index.js";
import type { ProviderRegistry } from "../../providers/index.js";
import type { CliContext } from "../context.js";
import type { Output } from "./buffered-output.js";
import { readInput } from "./manifest-io.js";
import { readUserFile } from "./user-files.js";

/**
 * Load every key from the files.
 * @throws SigilError `input.invalid` when no file is given or a file holds no key.
 */
export async function loadKeyFiles(files: readonly string[], providers: ProviderRegistry | undefined): Promise<KeyRing> {
  if (files.length === 0) throw new SigilError("input.invalid", "no private key given: pass --private-key FILE[,FILE]");
  const ring = new KeyRing();
  for (const file of files) {
    const text = (await readUserFile(file, "--private-key")).toString("utf8");
    for (const key of await readKeyFile(text, file, providers)) ring.add(key);
  }
  return ring;
}

/** Unseal every SealedSecret of the input and print the Secrets. */
export async function unsealToOutput(ctx: CliContext, input: string | undefined, ring: KeyRing, format: OutputFormat, out: Output): Promise<void> {
  const { text, source } = await readInput(ctx, input);
  const docs = parseManifests(text, source);
  if (docs.length === 0) throw new SigilError("input.invalid", "no sealed secret found in the input", { subject: source });
  const secrets = docs.map((doc) => unsealSealedSecret(toSealedSecret(doc, source), ring));
  for (const secret of secrets) out.write(formatObject(secret, format));
}
