/**
 * Scalars as text for the stores that only hold strings (dotenv, INI),
 * as sops' `stores.ValToString` writes them.
 */
import { formatFloatG } from "../codec/go-format.js";
import { SopsTime } from "../tree/model.js";
import type { TreeValue } from "../tree/model.js";

/** Go `FormatFloat(v, 'G', -1, 64)`, with `.0` added when it would read as an integer. */
function floatText(v: number): string {
  const g = formatFloatG(v).replace("e", "E");
  if (!g.includes(".") && !g.includes("E") && Number.isFinite(v)) return `${g}.0`;
  return g;
}

/** A non-string scalar as text (`true`, `5`, `1.5`, RFC 3339 without fraction). */
export function valueToText(v: TreeValue): string {
  if (v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return floatText(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof SopsTime) return v.text.replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, "");
  if (v instanceof Uint8Array) return Buffer.from(v).toString("latin1");
  return "";
}
