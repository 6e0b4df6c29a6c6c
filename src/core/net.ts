/**
 * Which Node.js error codes mean "the other side could not be reached"
 * (as opposed to "it answered no"). Every client that maps errors to
 * `*.unreachable` codes asks here.
 */

/** System and Node.js error codes of connections that failed or broke. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** True when `code` (an error's `code` property) is a network failure. */
export function isNetworkErrorCode(code: unknown): boolean {
  return typeof code === "string" && NETWORK_ERROR_CODES.has(code);
}
