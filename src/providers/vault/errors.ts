/**
 * Turning node-vault / axios errors into Sigil error codes. The original
 * error is not kept as the cause: axios errors carry the request (whose body
 * holds the base64 plaintext on encrypt), so only its code and status travel on.
 */
import { SigilError, isNetworkErrorCode } from "../../core/index.js";

/** axios adds its own codes to the system ones. */
const AXIOS_NETWORK_CODES = new Set(["ERR_NETWORK", "ERR_CANCELED"]);

interface VaultErrorShape {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly response?: { readonly statusCode?: unknown; readonly body?: unknown };
}

function shape(err: unknown): VaultErrorShape {
  return typeof err === "object" && err !== null ? err : {};
}

/**
 * The first Vault error string in a response body (`{"errors":["…"]}`), cut
 * to 200 characters; undefined when there is none. Vault's error strings
 * name what failed, never a stored value. Used by the transit and KV clients.
 */
export function vaultMessage(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("errors" in body) || !Array.isArray(body.errors)) return undefined;
  const first: unknown = body.errors[0];
  return typeof first === "string" ? first.slice(0, 200) : undefined;
}

/**
 * Map an error from a transit call.
 * - connection refused, timeouts, DNS failures, HTTP 502/503/504 (sealed or standby) → `provider.unreachable`
 * - HTTP 401/403 (bad token, missing policy) → `provider.denied`
 * - HTTP 400 naming the ciphertext → `decrypt.invalid_ciphertext`
 * - anything else (404 no such engine or key, 500) → `provider.failed`
 * The message of an error that is not recognised is never quoted: it may hold the plaintext.
 */
export function mapVaultError(err: unknown, action: string, subject: string): SigilError {
  if (err instanceof SigilError) return err;
  const e = shape(err);
  const code = typeof e.code === "string" ? e.code : undefined;
  const status = typeof e.response?.statusCode === "number" ? e.response.statusCode : undefined;
  const cause = new Error(code ?? (status === undefined ? "error" : `http ${status}`));
  const where = `vault transit ${action} failed for ${subject}`;
  if (status === undefined) {
    if (code !== undefined && (isNetworkErrorCode(code) || AXIOS_NETWORK_CODES.has(code))) {
      return new SigilError("provider.unreachable", `${where}: the server could not be reached (${code})`, { subject, cause });
    }
    // An error Sigil does not recognise may quote the request (the plaintext on encrypt) or the response
    // (the plaintext on decrypt, e.g. a parse error): name its kind, never repeat its message.
    const kind = err instanceof Error ? err.name : "error";
    return new SigilError("provider.failed", `${where}: unexpected ${kind} from the vault client (its message is not shown: it may quote the data key)`, { subject, cause });
  }
  const detail = vaultMessage(e.response?.body) ?? `http ${status}`;
  if (status === 401 || status === 403) return new SigilError("provider.denied", `${where}: access denied (${detail})`, { subject, cause });
  if (status === 502 || status === 503 || status === 504) {
    return new SigilError("provider.unreachable", `${where}: the server is not available (${detail})`, { subject, cause });
  }
  if (status === 400 && /ciphertext|decrypt|authentication failed/i.test(detail)) {
    return new SigilError("decrypt.invalid_ciphertext", `${where}: vault rejected the wrapped data key (${detail})`, { subject, cause });
  }
  return new SigilError("provider.failed", `${where}: ${detail}`, { subject, cause });
}
