/**
 * `--merge-into`: copy newly sealed entries into an existing SealedSecret
 * file (docs/formats.md#b6-kubeseal). `encryptedData` entries, template annotations, labels and
 * data from the update overwrite same-named keys; everything else is left
 * as it was. A YAML file kept as YAML is edited in place (comments, order,
 * the `---` marker and unrelated bytes survive; new keys are appended);
 * otherwise the object is re-printed as kubeseal prints it.
 */
import { isMap, parseDocument } from "yaml";
import type { Document } from "yaml";
import { SigilError } from "../../core/index.js";
import { parseYamlSafely, toJsSafely } from "../yaml-safe.js";
import { toSealedSecret } from "./manifest.js";
import { formatObject } from "./output.js";
import type { OutputFormat } from "./output.js";
import type { SealedSecretObject } from "./types.js";

/** The format an existing file is written in. */
export function detectFormat(text: string): OutputFormat {
  return /^\s*[{[]/.test(text) ? "json" : "yaml";
}

type Section = readonly string[];

/** The sections that are merged, with the part of the update each comes from. */
function sections(update: SealedSecretObject): [Section, Readonly<Record<string, string>>][] {
  const template = update.spec.template;
  return [
    [["spec", "encryptedData"], update.spec.encryptedData],
    [["spec", "template", "metadata", "annotations"], template?.metadata?.annotations ?? {}],
    [["spec", "template", "metadata", "labels"], template?.metadata?.labels ?? {}],
    [["spec", "template", "data"], template?.data ?? {}],
  ];
}

/** Merge `update` into a parsed SealedSecret object (a copy is returned). */
export function mergeSealedSecrets(original: SealedSecretObject, update: SealedSecretObject): SealedSecretObject {
  const out = structuredClone(original);
  for (const [path, entries] of sections(update)) {
    if (Object.keys(entries).length === 0) continue;
    let node: Record<string, unknown> = out as unknown as Record<string, unknown>;
    for (const segment of path) {
      const next = node[segment];
      if (typeof next !== "object" || next === null) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    Object.assign(node, entries);
  }
  return out;
}

function mergeDocument(doc: Document, update: SealedSecretObject): void {
  for (const [path, entries] of sections(update)) {
    for (const [key, value] of Object.entries(entries)) {
      const parent = doc.getIn(path, true);
      if (parent !== undefined && !isMap(parent)) {
        throw new SigilError("input.invalid", `${path.join(".")} is not a map`);
      }
      doc.setIn([...path, key], value);
    }
  }
}

/**
 * Merge `update` into the text of an existing SealedSecret file and return the new text.
 * `format` defaults to the file's own format.
 * @throws SigilError `input.invalid` naming `source` when the file is not a single SealedSecret.
 */
export function mergeIntoText(text: string, update: SealedSecretObject, source: string, format?: OutputFormat): string {
  const fail = (problem: string): never => {
    throw new SigilError("input.invalid", `the file is not valid yaml: ${problem}`, { subject: source });
  };
  const own = detectFormat(text);
  const target = format ?? own;
  if (own === "yaml" && target === "yaml") {
    const doc = parseYamlSafely(text, { uniqueKeys: true }, fail).docs[0] ?? parseDocument("");
    toSealedSecret(toJsSafely(doc, 100, fail), source);
    mergeDocument(doc, update);
    return doc.toString({ lineWidth: 0, indentSeq: false });
  }
  let parsed: unknown;
  try {
    parsed = own === "json" ? JSON.parse(text) : toJsSafely(parseYamlSafely(text, {}, fail).docs[0] ?? parseDocument(""), 100, fail);
  } catch (err) {
    if (err instanceof SigilError) throw err;
    // no cause: JSON.parse's message quotes the text around the error
    throw new SigilError("input.invalid", "the file is not valid json", { subject: source });
  }
  return formatObject(mergeSealedSecrets(toSealedSecret(parsed, source), update), target);
}
