/**
 * Parsing manifests: multi-document YAML (JSON is YAML), bounded in size,
 * nesting and aliases, every document checked to be a Kubernetes object.
 */
import { parseAllDocuments } from "yaml";
import { SigilError } from "../../core/index.js";
import type { KubeObject, Manifest, RenderLimits } from "./types.js";

function checkDepth(text: string, max: number, subject: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) throw new SigilError("render.too_large", `nesting deeper than ${max}`, { subject });
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function named(md: Record<string, unknown>): boolean {
  return typeof md["name"] === "string" && md["name"] !== "";
}

/** An Argo CD hook may have `generateName` instead of a name (a new object each run; docs/ordering.md). */
function generatedHook(md: Record<string, unknown>): boolean {
  const annotations = md["annotations"];
  return md["name"] === undefined && typeof md["generateName"] === "string" && md["generateName"] !== "" && isRecord(annotations) && typeof annotations["argocd.argoproj.io/hook"] === "string";
}

function asObject(doc: unknown, subject: string, index: number): KubeObject {
  const where = `${subject} (document ${index + 1})`;
  if (!isRecord(doc)) throw new SigilError("render.invalid_yaml", "a document is not a mapping", { subject: where });
  const md = doc["metadata"];
  if (typeof doc["apiVersion"] !== "string" || typeof doc["kind"] !== "string" || !isRecord(md) || !(named(md) || generatedHook(md))) {
    throw new SigilError("render.invalid_yaml", "a document is not a Kubernetes object (apiVersion, kind and metadata.name are required; metadata.generateName only on an Argo CD hook)", { subject: where });
  }
  return doc as unknown as KubeObject;
}

function objects(doc: unknown, subject: string, index: number): KubeObject[] {
  if (isRecord(doc) && typeof doc["kind"] === "string" && doc["kind"].endsWith("List") && Array.isArray(doc["items"])) {
    return (doc["items"] as unknown[]).map((item) => asObject(item, subject, index));
  }
  return [asObject(doc, subject, index)];
}

/**
 * The Kubernetes objects in `text` (empty documents skipped, `List`s expanded).
 * @throws SigilError `render.invalid_yaml` naming the file and document; `render.too_large` for a bomb, deep nesting or too many documents.
 */
export function parseManifests(text: string, subject: string, limits: RenderLimits): Manifest[] {
  checkDepth(text, limits.maxDepth, subject);
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > limits.maxDocuments) throw new SigilError("render.too_large", `more than ${limits.maxDocuments} documents`, { subject });
  const out: Manifest[] = [];
  for (const [i, doc] of list.entries()) {
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      throw new SigilError("render.invalid_yaml", `not valid YAML: ${first?.code ?? "error"} at line ${String(first?.linePos?.[0].line ?? "?")}`, { subject: `${subject} (document ${i + 1})` });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliases });
    } catch (err) {
      throw new SigilError("render.too_large", "too many YAML aliases (a YAML bomb?)", { subject: `${subject} (document ${i + 1})`, cause: err });
    }
    if (value === null || value === undefined) continue;
    for (const object of objects(value, subject, i)) out.push({ object, source: subject });
  }
  return out;
}
