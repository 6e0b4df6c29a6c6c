/**
 * Printing objects the way kubeseal does (docs/formats.md#b6-kubeseal): JSON pretty-printed with
 * two spaces in Go struct field order, Go's string escaping, and a trailing
 * newline; YAML with sorted keys, prefixed `---\n`. (kubeseal 0.36 no
 * longer writes `creationTimestamp: null`, and neither does Sigil.)
 */
import { stringify } from "yaml";
import { SigilError } from "../../core/index.js";

export const OUTPUT_FORMATS = ["json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Parse an output format name (case-insensitive).
 * @throws SigilError `input.invalid` for anything but json or yaml.
 */
export function parseOutputFormat(value: string): OutputFormat {
  const lower = value.toLowerCase();
  if (lower === "" || lower === "json") return "json";
  if (lower === "yaml") return "yaml";
  throw new SigilError("input.invalid", `unsupported output format: ${value} (use json or yaml)`);
}

interface Shape {
  readonly order?: readonly string[];
  readonly fields?: Readonly<Record<string, Shape>>;
  readonly items?: Shape;
}

const META: Shape = {
  order: ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
    "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields"],
  fields: { ownerReferences: { items: { order: ["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"] } } },
};
const SECRET: Shape = {
  order: ["kind", "apiVersion", "metadata", "immutable", "data", "stringData", "type"],
  fields: { metadata: META },
};
const CONDITION: Shape = { order: ["type", "status", "lastUpdateTime", "lastTransitionTime", "reason", "message"] };
const SEALED_SECRET: Shape = {
  order: ["kind", "apiVersion", "metadata", "spec", "status"],
  fields: {
    metadata: META,
    spec: {
      order: ["template", "data", "encryptedData"],
      fields: { template: { order: ["metadata", "type", "immutable", "data"], fields: { metadata: META } } },
    },
    status: { order: ["observedGeneration", "conditions"], fields: { conditions: { items: CONDITION } } },
  },
};
const LIST: Shape = { order: ["kind", "apiVersion", "metadata", "items"] };

function shapeFor(obj: unknown): Shape {
  const kind = (obj as { kind?: unknown } | null)?.kind;
  if (kind === "SealedSecret") return SEALED_SECRET;
  if (kind === "Secret") return SECRET;
  if (kind === "List") return { ...LIST, fields: { items: { fields: SECRET.fields ?? {}, order: SECRET.order ?? [] } } };
  return {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A copy of `value` with keys in Go order (known fields first, in struct order; map keys sorted). */
function ordered(value: unknown, shape: Shape | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => ordered(item, shape?.items));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  const known = shape?.order ?? [];
  for (const key of known) {
    const v = value[key];
    if (v !== undefined) out[key] = ordered(v, shape?.fields?.[key]);
  }
  for (const key of Object.keys(value).filter((k) => !known.includes(k)).sort()) {
    out[key] = ordered(value[key], shape?.fields?.[key]);
  }
  return out;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
  "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029",
};

/** A JSON string literal escaped as Go's encoding/json writes it (HTML-safe). */
export function goJsonString(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/["\\<>&\u2028\u2029\u0000-\u001f]/g, (ch) => ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

function goJson(value: unknown, indent: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return goJsonString(value);
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + goJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${goJsonString(k)}: ${goJson(v, inner)}`).join(",\n")}\n${indent}}`;
}

/** Print an object as kubeseal would in `format`. */
export function formatObject(obj: unknown, format: OutputFormat): string {
  const value = ordered(obj, shapeFor(obj));
  if (format === "json") return `${goJson(value, "")}\n`;
  return `---\n${stringify(value, { sortMapEntries: true, lineWidth: 0, indentSeq: false, aliasDuplicateObjects: false })}`;
}
