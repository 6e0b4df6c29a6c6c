/**
 * Reads from a Vault KV engine the way ESO's Vault provider does: `data[]`
 * items (`getSecret`), `dataFrom.extract` (`getSecretMap`) and
 * `dataFrom.find` (`getAllSecrets`), over an injected transport and token source.
 * A secret that does not exist is `provider.no_secret`, the sentinel that
 * drives `deletionPolicy`.
 */
import { RE2JS } from "re2js";
import { SigilError, registerSecret } from "../../../core/index.js";
import { isJsonObject } from "./json.js";
import type { JsonObject, JsonValue } from "./json.js";
import { buildDataPath, buildMetadataPath } from "./paths.js";
import type { KvVersion } from "./paths.js";
import { statusError } from "./transport.js";
import type { VaultRequest, VaultResponse } from "./transport.js";
import { secretMap, secretValue } from "./values.js";

/** The store settings reads depend on. */
export interface KvSettings {
  /** KV mount (`spec.provider.vault.path`), if any. */
  readonly mount?: string | undefined;
  readonly version: KvVersion;
  /** `X-Vault-Namespace` for reads. */
  readonly namespace?: string | undefined;
}

/** A remote reference (`remoteRef` / `extract`). */
export interface KvRef {
  readonly key: string;
  readonly property?: string | undefined;
  readonly version?: string | undefined;
  readonly metadataPolicy?: "None" | "Fetch" | undefined;
}

/** A `dataFrom.find`. */
export interface KvFind {
  readonly path?: string | undefined;
  readonly nameRegexp?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

/** Sends an authenticated request (the token is added by the caller's session). */
export type KvSend = (req: Omit<VaultRequest, "token">) => Promise<VaultResponse>;

const MAX_LISTED = 10_000;

/** The read side of a Vault KV store. */
export class KvClient {
  readonly #send: KvSend;
  readonly #s: KvSettings;

  constructor(send: KvSend, settings: KvSettings) {
    this.#send = send;
    this.#s = settings;
  }

  /** The payload at `key` (KV v2: `data.data`). @throws `provider.no_secret` when it does not exist. */
  async readSecret(key: string, version?: string): Promise<JsonObject> {
    const path = buildDataPath(this.#s.mount, key, this.#s.version);
    const res = await this.#get(path, version === undefined || version === "" ? undefined : { version });
    const missing = (): SigilError => new SigilError("provider.no_secret", "secret not found", { subject: `vault ${path}` });
    if (res === undefined || !isJsonObject(res["data"] ?? null)) throw missing();
    const data = res["data"] as JsonObject;
    if (this.#s.version === "v1") return registerLeaves(data);
    if (!Object.hasOwn(data, "data")) throw new SigilError("provider.failed", "failed to find data field", { subject: `vault ${path}` });
    const inner = data["data"] ?? null;
    if (inner === null) throw missing();
    if (!isJsonObject(inner)) throw new SigilError("provider.failed", "failed to unmarshall JSON", { subject: `vault ${path}` });
    return registerLeaves(inner);
  }

  /** The custom metadata of `key` (KV v2), or undefined when it has none. */
  async readMetadata(key: string): Promise<Record<string, string> | undefined> {
    const path = buildMetadataPath(this.#s.mount, key, this.#s.version);
    const res = await this.#get(path);
    if (res === undefined) throw new SigilError("provider.failed", "secret not found", { subject: `vault ${path}` });
    const data = res["data"] ?? null;
    const custom = isJsonObject(data) ? data["custom_metadata"] : undefined;
    if (custom === undefined) return undefined;
    const out: Record<string, string> = {};
    if (isJsonObject(custom)) for (const [k, v] of Object.entries(custom)) out[k] = typeof v === "string" ? v : "";
    return out;
  }

  /** The bytes of one `data[]` item. @throws `provider.no_secret`, `provider.failed`. */
  async getSecret(ref: KvRef): Promise<Uint8Array | undefined> {
    let data: JsonObject;
    if (ref.metadataPolicy === "Fetch") {
      if (this.#s.version === "v1") throw new SigilError("provider.failed", "cannot perform metadata fetch operations with kv version v1", { subject: ref.key });
      const meta = await this.readMetadata(ref.key);
      if (meta === undefined || Object.keys(meta).length === 0) return undefined;
      data = meta;
    } else {
      data = await this.readSecret(ref.key, ref.version);
    }
    return secretValue(data, ref.property ?? "", `vault ${ref.key}`);
  }

  /** The key → bytes map of a `dataFrom.extract`. */
  async getSecretMap(ref: KvRef): Promise<Map<string, Uint8Array>> {
    const bytes = await this.getSecret(ref);
    if (bytes === undefined) throw new SigilError("provider.failed", "unexpected end of JSON input", { subject: ref.key });
    return secretMap(bytes, `vault ${ref.key}`);
  }

  /** Every secret under `find.path` matching the name regexp or the tags: secret path → bytes (whole JSON). */
  async getAllSecrets(find: KvFind): Promise<Map<string, Uint8Array>> {
    if (this.#s.version === "v1" && find.tags !== undefined) throw new SigilError("provider.failed", "cannot perform find by tag operations with kv version v1", { subject: find.path ?? "" });
    const candidates = await this.listSecrets(find.path === undefined ? "" : `${find.path}/`);
    const out = new Map<string, Uint8Array>();
    const re = find.nameRegexp === undefined ? undefined : compileRegexp(find.nameRegexp);
    for (const name of candidates) {
      if (re !== undefined ? !re.test(name) : !(await this.#tagsMatch(name, find.tags ?? {}))) continue;
      try {
        const value = await this.getSecret({ key: name });
        if (value !== undefined) out.set(name, value);
      } catch (err) {
        if (err instanceof SigilError && err.code === "provider.no_secret") continue;
        throw err;
      }
    }
    return out;
  }

  /** Every secret path under `prefix` (which ends in `/` or is empty), recursively. */
  async listSecrets(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const pending = [prefix];
    while (pending.length > 0) {
      const dir = pending.shift() ?? "";
      const path = buildMetadataPath(this.#s.mount, dir, this.#s.version);
      const res = await this.#get(path, { list: "true" });
      if (res === undefined) throw new SigilError("provider.no_secret", "secret not found", { subject: `vault ${path}` });
      const data = res["data"] ?? null;
      const keys: JsonValue = isJsonObject(data) ? (data["keys"] ?? null) : null;
      for (const k of Array.isArray(keys) ? keys : []) {
        if (typeof k !== "string") continue;
        if (k.endsWith("/")) pending.push(dir + k);
        else out.push(dir + k);
        if (out.length + pending.length > MAX_LISTED) throw new SigilError("input.too_large", `more than ${MAX_LISTED} secrets listed`, { subject: `vault ${path}` });
      }
    }
    return out;
  }

  async #tagsMatch(name: string, tags: Readonly<Record<string, string>>): Promise<boolean> {
    const meta = (await this.readMetadata(name)) ?? {};
    return Object.entries(tags).every(([k, v]) => meta[k] === v);
  }

  /** GET; undefined on 404 without errors (Vault's "no such secret"); throws on other failures. */
  async #get(path: string, query?: Record<string, string>): Promise<JsonObject | undefined> {
    const res = await this.#send({ method: "GET", path, ...(query === undefined ? {} : { query }), namespace: this.#s.namespace });
    if (res.status === 404) return isJsonObject(res.body) && isJsonObject(res.body["data"] ?? null) ? res.body : undefined;
    if (res.status < 200 || res.status >= 300) throw statusError(res.status, res.body, "cannot read secret data from Vault", `vault ${path}`);
    return isJsonObject(res.body) ? res.body : undefined;
  }
}

/**
 * Compile a regular expression from user input with RE2 (linear time).
 * @throws SigilError `es.invalid_spec` when it does not compile.
 */
/**
 * Register every string leaf of a secret read from Vault with the process redactor before any caller
 * sees it, so a value that later reaches an error, a log line or an Event is masked (JSON was already
 * parsed within the depth limit, so the walk is bounded).
 */
function registerLeaves<T extends JsonValue>(value: T): T {
  if (typeof value === "string") registerSecret(value);
  else if (Array.isArray(value)) for (const v of value) registerLeaves(v);
  else if (isJsonObject(value)) for (const v of Object.values(value)) registerLeaves(v);
  return value;
}

export function compileRegexp(source: string): RE2JS {
  try {
    return RE2JS.compile(source);
  } catch {
    throw new SigilError("es.invalid_spec", `invalid regular expression ${JSON.stringify(source.slice(0, 100))}`, { subject: "regexp" });
  }
}
