/**
 * Turning AWS SDK (and network) errors into Sigil error codes. Messages name
 * the key and the AWS error name, and quote only what the service itself
 * said: the original error is not kept, since it may carry the request or
 * the raw response (the plaintext on decrypt).
 */
import { SigilError, isNetworkErrorCode } from "../../core/index.js";

const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "NetworkingError", "AbortError"]);
const DENIED_NAMES = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "ExpiredToken",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationToken",
]);
const WRONG_CONTEXT_NAMES = new Set(["InvalidCiphertextException", "IncorrectKeyException"]);

interface ErrorShape {
  readonly name?: unknown;
  readonly $fault?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function shape(err: unknown): ErrorShape {
  return typeof err === "object" && err !== null ? err : {};
}

/** True when `err` (or any error in its cause chain, or an AggregateError member) is a network failure. */
export function isNetworkError(err: unknown, depth = 0): boolean {
  if (depth > 6) return false;
  const e = shape(err);
  if (isNetworkErrorCode(e.code)) return true;
  if (typeof e.name === "string" && NETWORK_NAMES.has(e.name)) return true;
  if (err instanceof AggregateError && err.errors.some((inner) => isNetworkError(inner, depth + 1))) return true;
  return e.cause !== undefined && isNetworkError(e.cause, depth + 1);
}

/** The first error code (ECONNREFUSED, …) in the cause chain or an AggregateError. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  const e = shape(err);
  if (typeof e.code === "string") return e.code;
  if (err instanceof AggregateError) {
    const first: unknown = err.errors[0];
    return first === undefined ? undefined : errorCode(first, depth + 1);
  }
  return e.cause === undefined ? undefined : errorCode(e.cause, depth + 1);
}

/**
 * What an error may show of itself: the message of an error that KMS or STS
 * sent (a service exception, which has `$fault`) or of the SDK's missing-credentials
 * error; for anything else only its name and code. Other messages are never
 * repeated: a parse error or a client error may quote the response, which
 * holds the plaintext on decrypt.
 */
function detailOf(err: unknown, name: string): string {
  const e = shape(err);
  const message = typeof e.message === "string" ? e.message.slice(0, 200) : "";
  const trusted = e.$fault === "client" || e.$fault === "server" || name === "CredentialsProviderError";
  if (trusted && message !== "") return `${name}: ${message}`;
  const code = errorCode(err);
  return code === undefined ? name : `${name} ${code}`;
}

/**
 * Map an error from a KMS or STS call.
 * - network failures → `provider.unreachable`
 * - access denied, bad or expired credentials, HTTP 403 → `provider.denied`
 * - `InvalidCiphertextException` / `IncorrectKeyException` → `provider.denied`, "wrong encryption context or key"
 * - no credentials found → `provider.not_configured`
 * - anything else → `provider.failed`
 * A `SigilError` is returned unchanged.
 */
export function mapKmsError(err: unknown, action: string, subject: string): SigilError {
  if (err instanceof SigilError) return err;
  const e = shape(err);
  const name = typeof e.name === "string" ? e.name : "Error";
  const detail = detailOf(err, name);
  // Not the original error: it may carry the request or the raw response ($response), or quote them.
  const cause = new Error(detail);
  if (isNetworkError(err)) {
    return new SigilError("provider.unreachable", `kms ${action} failed for ${subject}: the endpoint could not be reached (${detail})`, { subject, cause });
  }
  if (WRONG_CONTEXT_NAMES.has(name)) {
    return new SigilError("provider.denied", `kms ${action} failed for ${subject}: wrong encryption context or key (${name})`, { subject, cause });
  }
  if (DENIED_NAMES.has(name) || e.$metadata?.httpStatusCode === 403) {
    return new SigilError("provider.denied", `kms ${action} failed for ${subject}: access denied (${detail})`, { subject, cause });
  }
  if (name === "CredentialsProviderError") {
    return new SigilError("provider.not_configured", `kms ${action} failed for ${subject}: no aws credentials were found (${detail})`, { subject, cause });
  }
  return new SigilError("provider.failed", `kms ${action} failed for ${subject}: ${detail}`, { subject, cause });
}
