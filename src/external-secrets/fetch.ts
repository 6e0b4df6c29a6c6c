/**
 * ESO's `getProviderSecretData`: `dataFrom` first (extract, find), then
 * `data`, each read through the store it names. A secret missing at the
 * provider (`provider.no_secret`) is skipped when `deletionPolicy` is not
 * `Retain` (an Event says so), and is an error with `Retain`.
 */
import { SigilError } from "../core/index.js";
import { convertKeys, decodeMap, decodeValue, rewriteMap, validateKeys } from "./keys.js";
import type { ByteMap } from "./keys.js";
import type { ExternalSecret, RemoteRef, StoreRef } from "./types.js";

/** The reads one store offers (the Vault KV client, or a fake). */
export interface StoreReader {
  getSecret(ref: { key: string; property?: string | undefined; version?: string | undefined; metadataPolicy?: "None" | "Fetch" | undefined }): Promise<Uint8Array | undefined>;
  getSecretMap(ref: { key: string; property?: string | undefined; version?: string | undefined; metadataPolicy?: "None" | "Fetch" | undefined }): Promise<ByteMap>;
  getAllSecrets(find: { path?: string | undefined; nameRegexp?: string | undefined; tags?: Readonly<Record<string, string>> | undefined }): Promise<ByteMap>;
}

/** Resolve the store an item reads from (its own `sourceRef.storeRef`, else the ExternalSecret's). */
export type ResolveStore = (ref: StoreRef | undefined) => Promise<StoreReader>;

/** What a fetch produced. */
export interface FetchResult {
  readonly data: ByteMap;
  /** Event messages for items whose secret was missing and skipped. */
  readonly missing: string[];
}

const isNoSecret = (err: unknown): boolean => err instanceof SigilError && err.code === "provider.no_secret";

function kvRef(r: RemoteRef): { key: string; property?: string; version?: string; metadataPolicy?: "None" | "Fetch" } {
  return {
    key: r.key ?? "",
    ...(r.property === undefined ? {} : { property: r.property }),
    ...(r.version === undefined ? {} : { version: r.version }),
    ...(r.metadataPolicy === "Fetch" ? { metadataPolicy: "Fetch" as const } : {}),
  };
}

function wrap(err: unknown, where: string): never {
  if (err instanceof SigilError) throw new SigilError(err.code, `error processing ${where}, err: ${err.message}`, { subject: err.subject, cause: err });
  throw err;
}

/**
 * Read everything `es` asks for.
 * @throws SigilError from the provider or the key handling, with `error processing spec.…` context; `provider.no_secret` only with `Retain`.
 */
export async function fetchProviderData(es: ExternalSecret, resolve: ResolveStore): Promise<FetchResult> {
  const spec = es.spec ?? {};
  const retain = (spec.target?.deletionPolicy ?? "Retain") === "Retain";
  const data: ByteMap = new Map();
  const missing: string[] = [];
  for (const [i, item] of (spec.dataFrom ?? []).entries()) {
    let map: ByteMap | undefined;
    try {
      if (item.sourceRef?.generatorRef !== undefined) throw new SigilError("provider.unsupported", "generators are not supported by sigil", { subject: `spec.dataFrom[${i}]` });
      const store = await resolve(item.sourceRef?.storeRef ?? spec.secretStoreRef);
      if (item.find !== undefined) {
        const f = item.find;
        map = await store.getAllSecrets({ path: f.path, nameRegexp: f.name?.regexp, tags: f.tags });
        map = finish(map, item.rewrite, f.conversionStrategy, f.decodingStrategy);
      } else if (item.extract !== undefined) {
        map = await store.getSecretMap(kvRef(item.extract));
        map = finish(map, item.rewrite, item.extract.conversionStrategy, item.extract.decodingStrategy);
      }
    } catch (err) {
      if (isNoSecret(err) && !retain) {
        missing.push(`secret does not exist at provider using spec.dataFrom[${i}]`);
        continue;
      }
      wrap(err, `spec.dataFrom[${i}].${item.find !== undefined ? "find" : "extract"}`);
    }
    for (const [k, v] of map ?? []) data.set(k, v);
  }
  for (const [i, item] of (spec.data ?? []).entries()) {
    const ref = item.remoteRef ?? {};
    try {
      const store = await resolve(item.sourceRef?.storeRef ?? spec.secretStoreRef);
      const value = await store.getSecret(kvRef(ref));
      data.set(item.secretKey ?? "", decodeValue(ref.decodingStrategy, value ?? new Uint8Array(0)));
    } catch (err) {
      if (isNoSecret(err) && !retain) {
        missing.push(`secret does not exist at provider using spec.dataFrom[${i}] (key=${ref.key ?? ""})`);
        continue;
      }
      wrap(err, `spec.data[${i}] (key: ${ref.key ?? ""})`);
    }
  }
  return { data, missing };
}

function finish(map: ByteMap, rewrite: Parameters<typeof rewriteMap>[0], conversion: string | undefined, decoding: string | undefined): ByteMap {
  let out = rewriteMap(rewrite, map);
  if ((rewrite ?? []).length === 0) out = convertKeys(conversion, out);
  validateKeys(out);
  return decodeMap(decoding, out);
}
