/**
 * Vault transit key URIs, as sops writes them in `--hc-vault-transit`,
 * `SOPS_VAULT_URIS` and `.sops.yaml`:
 * `https://vault.example.com:8200/v1/<engine path…>/keys/<key name>`.
 */
import { SigilError } from "../../core/index.js";
import type { VaultKeyRef } from "../types.js";

const EXAMPLE = "https://vault.example.com:8200/v1/transit/keys/keyName";

function invalid(uri: string, why: string): SigilError {
  return new SigilError("provider.invalid_key", `invalid vault transit uri '${uri}': ${why} (expected like ${EXAMPLE})`, {
    subject: uri,
  });
}

/**
 * Split a transit key URI into address (`scheme://host[:port]`), engine path
 * (every segment between `/v1/` and `/keys/`, possibly several) and key name.
 * @throws SigilError `provider.invalid_key` when the scheme is missing, the
 *   path has a prefix before `/v1/` (sops refuses those too), or the path is
 *   not `/v1/<engine…>/keys/<name>`.
 */
export function parseVaultTransitUri(uri: string): VaultKeyRef {
  const trimmed = uri.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid(trimmed, "not a url with a scheme");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid(trimmed, `unsupported scheme '${url.protocol}'`);
  if (url.search !== "" || url.hash !== "") throw invalid(trimmed, "query and fragment are not allowed");
  const segments = url.pathname.replace(/^\/+|\/+$/g, "").split("/");
  if (segments.length > 0 && segments[0] !== "v1" && segments.includes("v1")) {
    throw invalid(trimmed, "a prefix before /v1/ is not supported");
  }
  const keyName = segments.at(-1);
  const engine = segments.slice(1, -2);
  if (segments[0] !== "v1" || segments.at(-2) !== "keys" || engine.length === 0 || keyName === undefined || keyName === "") {
    throw invalid(trimmed, "the path must be /v1/<engine path>/keys/<key name>");
  }
  if (engine.some((s) => s === "")) throw invalid(trimmed, "empty segment in the engine path");
  return { type: "hc_vault", vaultAddress: addressAsWritten(trimmed, url), enginePath: engine.join("/"), keyName };
}

/**
 * `scheme://host[:port]` with the host and port exactly as written, as sops
 * keeps them (WHATWG `URL.origin` would lowercase the host and drop `:443`,
 * so the same key would get a different identity in the metadata).
 */
function addressAsWritten(uri: string, url: URL): string {
  const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(uri)?.[1];
  return authority === undefined ? url.origin : `${url.protocol}//${authority}`;
}

/**
 * Parse a comma-separated list of transit URIs; empty items are dropped.
 * @throws SigilError `provider.invalid_key` for the first invalid item.
 */
export function parseVaultTransitUris(list: string): VaultKeyRef[] {
  return list
    .split(",")
    .filter((item) => item.trim() !== "")
    .map(parseVaultTransitUri);
}

/** The URI of a key, the form sops prints: `<address>/v1/<engine>/keys/<name>`. Never throws. */
export function vaultTransitUri(key: VaultKeyRef): string {
  return `${key.vaultAddress}/v1/${key.enginePath}/keys/${key.keyName}`;
}
