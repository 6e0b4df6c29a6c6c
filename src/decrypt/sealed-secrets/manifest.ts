/**
 * Reading Secret and SealedSecret manifests: YAML (multi-document) or JSON
 * (one value, or a stream of values as kubeseal prints them), checked into
 * the shapes of `types.ts` with errors that name the object and field.
 */
import { MAX_NESTING_DEPTH, SigilError } from "../../core/index.js";
import { parseYamlSafely, toJsSafely } from "../yaml-safe.js";
import { SEALED_SECRET_API_VERSION, SEALED_SECRET_KIND } from "./constants.js";
import type { ObjectMeta, SealedSecretObject, SecretObject, SecretTemplate } from "./types.js";
import { subjectOf } from "./types.js";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Split a concatenation of JSON values (`{…}\n{…}`) into its values.
 * @throws SigilError `input.invalid` naming `source` when a value does not parse.
 */
function parseJsonStream(text: string, source: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") {
      if (depth++ === 0) start = i;
      if (depth > MAX_NESTING_DEPTH) throw new SigilError("input.invalid", `json input nests deeper than ${MAX_NESTING_DEPTH} levels`, { subject: source });
    } else if ((ch === "}" || ch === "]") && --depth === 0) {
      out.push(parseJson(text.slice(start, i + 1), source));
    }
  }
  if (depth !== 0) throw new SigilError("input.invalid", "json input ends inside a value", { subject: source });
  return out;
}

/**
 * The input is a plaintext Secret (or a key backup), so a parse error names
 * the position only: V8's message quotes the text around it (`…"p":hunter2"…`).
 */
function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const at = err instanceof Error ? /at position (\d+)/.exec(err.message)?.[1] : undefined;
    throw new SigilError("input.invalid", `input is not valid json${at === undefined ? "" : ` (at offset ${at} of the value)`}`, { subject: source });
  }
}

/**
 * Parse every document of a YAML or JSON manifest text, skipping empty documents.
 * @throws SigilError `input.invalid` naming `source` on a syntax error.
 */
export function parseManifests(text: string, source: string): unknown[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return parseJsonStream(trimmed, source);
  const fail = (problem: string): never => {
    throw new SigilError("input.invalid", `input is not valid yaml: ${problem}`, { subject: source });
  };
  const out: unknown[] = [];
  for (const doc of parseYamlSafely(text, { uniqueKeys: true }, fail).docs) {
    const value = toJsSafely(doc, 100, fail);
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function stringMap(value: unknown, field: string, subject: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new SigilError("input.invalid", `${field} must be a map of strings`, { subject });
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new SigilError("input.invalid", `${field}.${key} must be a string, found ${typeof v}`, { subject });
  }
  return value as Record<string, string>;
}

function optionalString(value: unknown, field: string, subject: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new SigilError("input.invalid", `${field} must be a string`, { subject });
  return value;
}

function checkMeta(value: unknown, field: string, subject: string): ObjectMeta {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new SigilError("input.invalid", `${field} must be an object`, { subject });
  const meta: ObjectMeta = { ...value };
  for (const key of ["name", "namespace", "generateName"] as const) optionalString(value[key], `${field}.${key}`, subject);
  if (stringMap(value["labels"], `${field}.labels`, subject) === undefined) delete meta.labels;
  if (stringMap(value["annotations"], `${field}.annotations`, subject) === undefined) delete meta.annotations;
  return meta;
}

function checkKind(obj: Json, kind: string, subject: string): void {
  if (obj["kind"] !== undefined && obj["kind"] !== kind) {
    throw new SigilError("input.invalid", `expected a ${kind}, found kind ${JSON.stringify(obj["kind"])}`, { subject });
  }
}

/**
 * Check one parsed document as a core/v1 Secret (kind may be omitted, as kubeseal allows).
 * @throws SigilError `input.invalid` naming the object and field.
 */
export function toSecret(value: unknown, source: string): SecretObject {
  if (!isRecord(value)) throw new SigilError("input.invalid", "expected a Secret object", { subject: source });
  const meta = checkMeta(value["metadata"], "metadata", source);
  const subject = `${source}: ${subjectOf("Secret", meta)}`;
  checkKind(value, "Secret", subject);
  const secret: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: meta };
  const data = stringMap(value["data"], "data", subject);
  const stringData = stringMap(value["stringData"], "stringData", subject);
  const type = optionalString(value["type"], "type", subject);
  if (data !== undefined) secret.data = data;
  if (stringData !== undefined) secret.stringData = stringData;
  if (type !== undefined) secret.type = type;
  if (typeof value["immutable"] === "boolean") secret.immutable = value["immutable"];
  return secret;
}

function checkTemplate(value: unknown, subject: string): SecretTemplate | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new SigilError("input.invalid", "spec.template must be an object", { subject });
  const template: SecretTemplate = { ...value };
  if (value["metadata"] !== undefined && value["metadata"] !== null) template.metadata = checkMeta(value["metadata"], "spec.template.metadata", subject);
  const data = stringMap(value["data"], "spec.template.data", subject);
  if (data === undefined) delete template.data;
  optionalString(value["type"], "spec.template.type", subject);
  if (value["immutable"] !== undefined && typeof value["immutable"] !== "boolean") {
    throw new SigilError("input.invalid", "spec.template.immutable must be a boolean", { subject });
  }
  return template;
}

/**
 * Check one parsed document as a `bitnami.com/v1alpha1` SealedSecret.
 * @throws SigilError `input.invalid` naming the object and field.
 */
export function toSealedSecret(value: unknown, source: string): SealedSecretObject {
  if (!isRecord(value)) throw new SigilError("input.invalid", "expected a SealedSecret object", { subject: source });
  const meta = checkMeta(value["metadata"], "metadata", source);
  const subject = source === "" ? subjectOf("SealedSecret", meta) : `${source}: ${subjectOf("SealedSecret", meta)}`;
  checkKind(value, SEALED_SECRET_KIND, subject);
  if (value["apiVersion"] !== undefined && value["apiVersion"] !== SEALED_SECRET_API_VERSION) {
    throw new SigilError("input.invalid", `expected apiVersion ${SEALED_SECRET_API_VERSION}, found ${JSON.stringify(value["apiVersion"])}`, { subject });
  }
  const spec = value["spec"];
  if (!isRecord(spec)) throw new SigilError("input.invalid", "spec must be an object", { subject });
  const encryptedData = stringMap(spec["encryptedData"], "spec.encryptedData", subject) ?? {};
  const out: SealedSecretObject = {
    ...(value as Partial<SealedSecretObject>),
    apiVersion: SEALED_SECRET_API_VERSION,
    kind: SEALED_SECRET_KIND,
    metadata: meta,
    spec: { ...spec, encryptedData },
  };
  const template = checkTemplate(spec["template"], subject);
  if (template === undefined) delete out.spec.template;
  else out.spec.template = template;
  const data = optionalString(spec["data"], "spec.data", subject);
  if (data === undefined) delete out.spec.data;
  return out;
}
