/**
 * Where a key lives in Vault, as ESO's Vault provider computes it
 * (docs/formats.md#c3-vault-http-calls, "Path construction"), for mount `M` (the store's `path`)
 * and key `K` (`remoteRef.key`).
 */
import { SigilError } from "../../../core/index.js";

/** KV engine version. */
export type KvVersion = "v1" | "v2";

/** The data path of key `key`. */
export function buildDataPath(mount: string | undefined, key: string, version: KvVersion): string {
  if (mount !== undefined) {
    let rest = key;
    if (rest.startsWith(`${mount}/`)) {
      rest = rest.slice(mount.length + 1);
      if (version === "v2" && rest.startsWith("data/")) rest = rest.slice(5);
    }
    return version === "v2" ? `${mount}/data/${rest}` : `${mount}/${rest}`;
  }
  if (version === "v2" && !key.includes("/data/")) {
    const [first = "", ...rest] = key.split("/");
    return [first, "data", ...rest].join("/");
  }
  return key;
}

/**
 * The metadata path of key `key` (KV v2: `M/metadata/K`; without a mount,
 * the first `/data/` of `K` becomes `/metadata/`; KV v1: `M/K`).
 * @throws SigilError `es.invalid_spec` when there is no mount and `K` has no `data` segment (KV v2).
 */
export function buildMetadataPath(mount: string | undefined, key: string, version: KvVersion): string {
  if (version === "v1") return `${mount ?? ""}/${key}`;
  if (mount !== undefined) return `${mount}/metadata/${key}`;
  if (!key.includes("data")) throw new SigilError("es.invalid_spec", "provided Path isn't a valid kv v2 path", { subject: key });
  return key.replace("/data/", "/metadata/");
}
