/**
 * Turning AWS SDK (and network) errors into Sigil error codes. Messages name
 * the key and the AWS error name; they never contain the plaintext (the SDK
 * does not echo request bodies into errors).
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
  const detail = typeof e.message === "string" && e.message !== "" ? `${name}: ${e.message.slice(0, 200)}` : name;
  const cause = err;
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
