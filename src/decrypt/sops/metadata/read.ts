/**
 * Reading the `sops` metadata mapping (docs/formats.md#a10-metadata): any key order, legacy empty
 * lists, weakly typed scalars (dotenv/INI store everything as strings), the
 * top-level lists taking precedence over `key_groups`.
 */
import { SigilError } from "../../../core/index.js";
import type { MasterKeyRef } from "../../../providers/index.js";
import { formatFloatF, parseGoBool } from "../codec/go-format.js";
import { isRfc3339, normalizeLastModified } from "../codec/go-time.js";
import { Comment, SopsTime, TreeMap, isSeq } from "../tree/model.js";
import type { TreeValue } from "../tree/model.js";
import { RULE_FIELDS } from "../tree/rules.js";
import type { RuleSet } from "../tree/rules.js";
import { KEY_FIELDS, KEY_TYPES } from "./model.js";
import type { KeyGroup, KeyType, MasterKey, SopsMetadata } from "./model.js";

function bad(msg: string, subject: string | undefined): never {
  throw new SigilError("decrypt.invalid_metadata", msg, { subject });
}

/** A scalar as a string, the way mapstructure's weak typing converts it. */
function text(v: TreeValue | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return formatFloatF(v);
  if (typeof v === "boolean") return v ? "1" : "0";
  if (v instanceof SopsTime) return v.text;
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  return "";
}

function entries(map: TreeMap): Map<string, TreeValue> {
  const out = new Map<string, TreeValue>();
  for (const item of map.items) if (!(item.key instanceof Comment)) out.set(item.key, item.value);
  return out;
}

function contextMap(v: TreeValue | undefined, subject: string | undefined): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!(v instanceof TreeMap)) bad("a kms context must be a mapping", subject);
  const out: Record<string, string> = {};
  for (const [k, val] of entries(v)) out[k] = text(val);
  return Object.keys(out).length === 0 ? undefined : out;
}

function refFor(type: KeyType, f: Record<string, string | Record<string, string>>): MasterKeyRef | undefined {
  const s = (k: string): string => (typeof f[k] === "string" ? f[k] : "");
  if (type === "age") return { type: "age", recipient: s("recipient") };
  if (type === "hc_vault") return { type: "hc_vault", vaultAddress: s("vault_address"), enginePath: s("engine_path"), keyName: s("key_name") };
  if (type !== "kms") return undefined;
  const ctx = f["context"];
  return {
    type: "kms",
    arn: s("arn"),
    ...(s("role") === "" ? {} : { role: s("role") }),
    ...(typeof ctx === "object" ? { context: ctx } : {}),
    ...(s("aws_profile") === "" ? {} : { awsProfile: s("aws_profile") }),
  };
}

function readKey(type: KeyType, v: TreeValue, subject: string | undefined): MasterKey {
  if (!(v instanceof TreeMap)) bad(`a ${type} key entry must be a mapping`, subject);
  const e = entries(v);
  const fields: Record<string, string | Record<string, string>> = {};
  for (const name of KEY_FIELDS[type]) {
    if (name === "context") {
      const ctx = contextMap(e.get(name), subject);
      if (ctx !== undefined) fields[name] = ctx;
    } else fields[name] = text(e.get(name));
  }
  const createdAt = type === "age" ? undefined : text(e.get("created_at"));
  if (createdAt !== undefined && !isRfc3339(createdAt)) bad(`the ${type} key's created_at '${createdAt.slice(0, 40)}' is not an RFC 3339 time`, subject);
  return { type, ref: refFor(type, fields), fields, enc: text(e.get("enc")), createdAt };
}

function readList(type: KeyType, v: TreeValue | undefined, subject: string | undefined): MasterKey[] {
  if (v === undefined || v === null) return [];
  if (!isSeq(v)) bad(`the metadata field '${type}' must be a list`, subject);
  return v.filter((x): x is TreeValue => !(x instanceof Comment)).map((x) => readKey(type, x, subject));
}

function readGroup(map: Map<string, TreeValue>, subject: string | undefined): KeyGroup {
  return KEY_TYPES.flatMap((type) => readList(type, map.get(type), subject));
}

function readGroups(e: Map<string, TreeValue>, subject: string | undefined): KeyGroup[] {
  const flat = readGroup(e, subject);
  if (flat.length > 0) return [flat];
  const kg = e.get("key_groups");
  if (kg !== undefined && kg !== null) {
    if (!isSeq(kg)) bad("the metadata field 'key_groups' must be a list", subject);
    const groups = kg.filter((g): g is TreeValue => !(g instanceof Comment));
    if (groups.length > 0) {
      return groups.map((g) => {
        if (!(g instanceof TreeMap)) bad("each key group must be a mapping", subject);
        return readGroup(entries(g), subject);
      });
    }
  }
  return bad("no keys found in the file's metadata", subject);
}

function readInt(v: TreeValue | undefined, subject: string | undefined): number {
  if (v === undefined || v === null || v === "") return 0;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number" && Number.isInteger(v)) return v;
  const s = text(v);
  if (/^[+-]?\d+$/.test(s)) return Number(s);
  return bad(`shamir_threshold '${s.slice(0, 20)}' is not an integer`, subject);
}

function readBool(v: TreeValue | undefined, subject: string | undefined): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "bigint") return v !== 0n;
  return parseGoBool(text(v)) ?? bad(`mac_only_encrypted '${text(v).slice(0, 20)}' is not a boolean`, subject);
}

/**
 * Read the metadata mapping.
 * @throws SigilError `decrypt.invalid_metadata` for a missing/invalid `lastmodified`, bad
 *   `created_at`, no keys, or wrongly shaped fields; `config.invalid` for more than one rule.
 */
export function readMetadata(map: TreeMap, subject?: string): SopsMetadata {
  const e = entries(map);
  const lastModified = text(e.get("lastmodified"));
  if (lastModified === "" || normalizeLastModified(lastModified) === undefined) {
    bad(lastModified === "" ? "the metadata has no lastmodified" : `lastmodified '${lastModified.slice(0, 40)}' is not an RFC 3339 time`, subject);
  }
  const rules: RuleSet = {};
  for (const f of RULE_FIELDS) {
    const v = text(e.get(f));
    if (v !== "") rules[f] = v;
  }
  if (Object.keys(rules).length > 1) {
    throw new SigilError("config.invalid", `the metadata sets more than one of ${RULE_FIELDS.join(", ")}`, { subject });
  }
  return {
    keyGroups: readGroups(e, subject),
    shamirThreshold: readInt(e.get("shamir_threshold"), subject),
    lastModified,
    mac: text(e.get("mac")),
    rules,
    macOnlyEncrypted: readBool(e.get("mac_only_encrypted"), subject),
    version: text(e.get("version")),
  };
}
