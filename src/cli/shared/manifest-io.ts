/**
 * Manifests in and out of the sealed-secrets commands: the input from `-f`
 * or stdin, read under a size limit, and the output format (`-o`, or the
 * `-w` file's extension).
 */
import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { UNSEAL_MAX_INPUT_BYTES } from "../../core/index.js";
import { parseOutputFormat } from "../../decrypt/sealed-secrets/index.js";
import type { OutputFormat } from "../../decrypt/sealed-secrets/index.js";
import { readAtMost } from "../context.js";
import type { CliContext } from "../context.js";
import { tooLarge } from "./byte-size.js";
import { readUserFile } from "./user-files.js";

/**
 * The input text: `-f FILE`, or stdin. Nothing over `maxBytes` is read into
 * memory (the default covers SealedSecrets; `seal` passes its own limit).
 * @throws SigilError `input.too_large` naming the file or `<stdin>`; `input.not_found`.
 */
export async function readInput(ctx: CliContext, file: string | undefined, maxBytes: number = UNSEAL_MAX_INPUT_BYTES): Promise<{ text: string; source: string }> {
  if (file !== undefined && file !== "") {
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size > maxBytes) throw tooLarge(file, size, maxBytes);
    return { text: (await readUserFile(file, "-f")).toString("utf8"), source: file };
  }
  const bytes = await readAtMost(ctx.stdin, maxBytes + 1);
  if (bytes.length > maxBytes) throw tooLarge("<stdin>", undefined, maxBytes);
  return { text: bytes.toString("utf8"), source: "<stdin>" };
}

/**
 * The output format: `-o` (default json), forced to yaml when the `-w` file ends in `.yaml`/`.yml`.
 * @throws SigilError `input.invalid` for an unknown format.
 */
export function outputFormat(format: string | undefined, outputFile: string | undefined): OutputFormat {
  const ext = outputFile === undefined ? "" : extname(outputFile);
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  return parseOutputFormat(format ?? "json");
}
