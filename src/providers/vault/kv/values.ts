/**
 * From a Vault payload to bytes, as ESO's Vault provider does it
 * (docs/formats.md#c3-vault-http-calls): no property gives the whole payload as Go JSON; an exact
 * top-level key gives that value; anything else is a gjson path.
 */
import { SigilError } from "../../../core/index.js";
import { gjsonGet } from "./gjson.js";
import { JsonNumber, goFormatFloat, goJsonMarshal, isJsonObject, parseJson } from "./json.js";
import type { JsonObject, JsonValue } from "./json.js";

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));

/** One value to bytes (Go `utils.GetByteValue`); `floats` when it came from a plain `json.Unmarshal`. */
export function byteValue(v: JsonValue, floats: boolean): Uint8Array {
  if (v === null) return new Uint8Array(0);
  if (typeof v === "string") return utf8(v);
  if (typeof v === "boolean") return utf8(v ? "true" : "false");
  if (v instanceof JsonNumber) return utf8(floats ? goFormatFloat(v.value) : v.text);
  return utf8(goJsonMarshal(v, floats));
}

/**
 * The bytes of one `data[]` item (ESO `getSecretValue`).
 * @throws SigilError `provider.no_secret` for a missing payload, `provider.failed` when the property is not there.
 */
export function secretValue(data: JsonObject | undefined, property: string, subject: string): Uint8Array {
  if (data === undefined) throw new SigilError("provider.no_secret", "secret not found", { subject });
  if (property === "") return utf8(goJsonMarshal(data));
  const direct = Object.hasOwn(data, property) ? data[property] : undefined;
  if (direct !== undefined) return byteValue(direct, false);
  const found = gjsonGet(data, property);
  if (found === undefined) throw new SigilError("provider.failed", `cannot find secret data for key: ${JSON.stringify(property)}`, { subject });
  return utf8(found);
}

/**
 * The key → bytes map of a `dataFrom.extract` (ESO `GetSecretMap`): the
 * item's bytes parsed again as JSON (numbers as float64), each top-level key a Secret key.
 * @throws SigilError `provider.failed` when the value is not a JSON object.
 */
export function secretMap(bytes: Uint8Array, subject: string): Map<string, Uint8Array> {
  let parsed: JsonValue;
  try {
    parsed = parseJson(Buffer.from(bytes).toString("utf8"), subject);
  } catch {
    throw new SigilError("provider.failed", "the secret's value is not a json object", { subject });
  }
  if (!isJsonObject(parsed)) throw new SigilError("provider.failed", "the secret's value is not a json object", { subject });
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(parsed)) out.set(k, byteValue(v, true));
  return out;
}
