/**
 * The paths of `sigil seal` that ask the controller: `--validate`
 * (`POST /v1/verify`) and `--re-encrypt` (`POST /v1/rotate`).
 */
import { SigilError } from "../../../core/index.js";
import { formatObject, parseManifests, toSealedSecret } from "../../../decrypt/sealed-secrets/index.js";
import type { OutputFormat, SealedSecretObject } from "../../../decrypt/sealed-secrets/index.js";
import type { CliContext } from "../../context.js";
import type { ControllerApi } from "./controller.js";
import type { Output } from "../../shared/index.js";
import { readInput } from "../../shared/manifest-io.js";

async function readSealedSecrets(ctx: CliContext, file: string | undefined): Promise<SealedSecretObject[]> {
  const input = await readInput(ctx, file);
  const items = parseManifests(input.text, input.source).map((doc) => toSealedSecret(doc, input.source));
  if (items.length === 0) throw new SigilError("input.invalid", "no sealed secrets found in the input", { subject: input.source });
  return items;
}

/**
 * Ask the controller whether it can unseal each input SealedSecret.
 * @throws SigilError `sealed.verify_failed` naming the first one it cannot decrypt.
 */
export async function validateSealedSecrets(ctx: CliContext, file: string | undefined, api: ControllerApi): Promise<void> {
  for (const ss of await readSealedSecrets(ctx, file)) {
    if (!(await api.verify(JSON.stringify(ss)))) {
      throw new SigilError("sealed.verify_failed", `unable to decrypt sealed secret: ${ss.metadata.name ?? ""}`, { subject: api.description });
    }
  }
}

/** Re-seal each input SealedSecret with the controller's newest key, clearing server-set fields as kubeseal does. */
export async function reEncryptSealedSecrets(ctx: CliContext, file: string | undefined, api: ControllerApi, format: OutputFormat, out: Output): Promise<void> {
  for (const ss of await readSealedSecrets(ctx, file)) {
    let parsed: unknown;
    const body = await api.rotate(JSON.stringify(ss));
    try {
      parsed = JSON.parse(body);
    } catch (cause) {
      throw new SigilError("sealed.fetch_failed", "the controller's rotate answer is not json", { subject: api.description, cause });
    }
    const rotated = toSealedSecret(parsed, api.description);
    const meta = Object.fromEntries(
      Object.entries(rotated.metadata).filter(([k]) => k !== "creationTimestamp" && k !== "deletionTimestamp" && k !== "generation"),
    );
    out.write(formatObject({ ...rotated, metadata: meta }, format));
  }
}
