/** Scalars with an explicit tag (`!!str 5`, `!!int "7"`, `!!binary …`), as go-yaml v3 decodes them into an interface. */
import { isUtf8 } from "node:buffer";
import { parseGoFloat } from "../codec/go-format.js";
import { parseYamlTimestamp } from "../codec/go-time.js";
import type { TreeValue } from "../tree/model.js";
import { resolvePlain } from "./yaml-resolve.js";

const SHORT: Record<string, string> = {
  "!!str": "str",
  "!!int": "int",
  "!!float": "float",
  "!!bool": "bool",
  "!!null": "null",
  "!!timestamp": "timestamp",
  "!!binary": "binary",
  "!!map": "map",
  "!!seq": "seq",
};

/**
 * Resolve `text` under `tag`. Unknown (application) tags keep the text as a
 * string, as go-yaml does when decoding into an interface. Failure messages
 * name the tag, never the text: on `encrypt` the text is a plaintext secret.
 */
export function resolveTagged(tag: string, text: string, fail: (msg: string) => never): TreeValue {
  const short = SHORT[tag.replace(/^!<tag:yaml\.org,2002:(.*)>$/, "!!$1")];
  switch (short) {
    case "str":
      return text;
    case "binary": {
      const raw = Buffer.from(text.replace(/\s+/g, ""), "base64");
      return isUtf8(raw) ? raw.toString("utf8") : new Uint8Array(raw);
    }
    case "timestamp":
      return parseYamlTimestamp(text) ?? fail("a value tagged !!timestamp is not a timestamp");
    case "float": {
      const r = resolvePlain(text);
      if (r.kind === "value" && (typeof r.value === "number" || typeof r.value === "bigint")) return Number(r.value);
      return parseGoFloat(text) ?? fail("a value tagged !!float is not a float");
    }
    case "int":
    case "bool":
    case "null": {
      const r = resolvePlain(text);
      const ok = r.kind === "value" && (short === "int" ? typeof r.value === "bigint" : short === "bool" ? typeof r.value === "boolean" : r.value === null);
      return ok ? r.value : fail(`a value tagged ${tag} cannot be decoded as one`);
    }
    default:
      return text;
  }
}
