/**
 * The steps `decrypt` and `rotate` share before they call the engine: read
 * the input under the size limit, pick the formats, read the decryption order
 * and `.sops.yaml` (sops reads it here too, for the stores' indentation of
 * the output), and build the engine's common options.
 */
import { SigilError } from "../../../core/index.js";
import { DEFAULT_MAX_ENCRYPTED_BYTES, KEY_TYPES } from "../../../decrypt/index.js";
import type { CommonOptions, KeyType, SopsFormat } from "../../../decrypt/index.js";
import type { ProviderRegistry } from "../../../providers/index.js";
import type { CliContext } from "../../context.js";
import { buildProviderRegistry } from "../../../providers/index.js";
import { loadCliSopsConfig, storeOptionsOf } from "../encrypt/config.js";
import { SOPS_DECRYPTION_ORDER_ENV } from "../encrypt/keys.js";
import { formatsFor, readInput } from "./io.js";
import type { Input, IoFlags } from "./io.js";
import { maxInputBytes } from "./size.js";
import type { SizeFlags } from "./size.js";

/** Flags of the commands that read one encrypted file. */
export type EncryptedInputFlags = IoFlags & SizeFlags & {
  readonly config?: string | undefined;
  readonly decryptionOrder?: string | undefined;
};

/** An encrypted input, read, with the engine options for it. */
export interface EncryptedInput {
  readonly input: Input;
  readonly formats: { readonly input: SopsFormat; readonly output: SopsFormat };
  readonly engine: Partial<CommonOptions> & { registry: ProviderRegistry };
}

/**
 * The decryption order from `--decryption-order` / `SOPS_DECRYPTION_ORDER`.
 * @throws SigilError `input.invalid` for an unknown or repeated key type.
 */
function decryptionOrder(ctx: CliContext, flag: string | undefined): KeyType[] | undefined {
  const raw = flag ?? ctx.env[SOPS_DECRYPTION_ORDER_ENV];
  if (raw === undefined || raw === "") return undefined;
  const names = raw.split(",").map((n) => n.trim()).filter((n) => n !== "");
  for (const n of names) {
    if (!(KEY_TYPES as readonly string[]).includes(n)) throw new SigilError("input.invalid", `unknown key type '${n}' in the decryption order (use ${KEY_TYPES.join(", ")})`);
  }
  if (new Set(names).size !== names.length) throw new SigilError("input.invalid", "the decryption order names a key type twice");
  return names as KeyType[];
}

/**
 * Read an encrypted input and work out the engine options for it.
 * @throws SigilError as `readInput`, `decryptionOrder` and `loadCliSopsConfig`;
 *   `input.invalid` for a bad size, type or order flag.
 */
export async function readEncryptedInput(ctx: CliContext, file: string | undefined, flags: EncryptedInputFlags): Promise<EncryptedInput> {
  const limit = maxInputBytes(ctx, flags, DEFAULT_MAX_ENCRYPTED_BYTES);
  const input = await readInput(ctx, file, flags, limit);
  const formats = formatsFor(input, flags);
  const order = decryptionOrder(ctx, flags.decryptionOrder);
  const config = await loadCliSopsConfig(ctx, flags.config);
  const engine = {
    registry: buildProviderRegistry(ctx.env),
    path: input.path ?? input.name,
    format: formats.input,
    maxInputBytes: limit,
    store: storeOptionsOf(config),
    logger: ctx.logger,
    ...(order === undefined ? {} : { decryptionOrder: order }),
  };
  return { input, formats, engine };
}
