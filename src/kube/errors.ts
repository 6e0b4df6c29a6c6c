/**
 * Turning API server responses into `SigilError`s with `kube.*` codes.
 */
import { SigilError } from "../core/index.js";
import type { ErrorCode } from "../core/index.js";

/** The suffix the API server puts on an update of an immutable Secret's data. */
const IMMUTABLE_SUFFIX = "field is immutable when `immutable` is set";

function codeFor(status: number, message: string): ErrorCode {
  if (status === 404) return "kube.not_found";
  if (status === 409) return "kube.conflict";
  if (status === 401 || status === 403) return "kube.denied";
  if (status === 410) return "kube.expired";
  if (status === 422 && message.includes(IMMUTABLE_SUFFIX)) return "kube.immutable";
  if (status === 400 || status === 422) return "kube.invalid";
  return "kube.failed";
}

/** The `message` of a `Status` body, else a short generic text (bodies are never echoed whole). */
export function statusMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === "string" && parsed.message !== "") return parsed.message;
  } catch {
    // not a Status object
  }
  return `the api server answered http ${status}`;
}

/** The error for a non-2xx answer to `method path`. */
export function apiError(status: number, body: string, method: string, path: string): SigilError {
  const message = statusMessage(status, body);
  return new SigilError(codeFor(status, message), `${method.toLowerCase()} failed: ${message}`, { subject: path });
}

/** The error for a request that never got an answer. */
export function networkError(cause: unknown, method: string, path: string): SigilError {
  const code = (cause as { code?: unknown } | null)?.code;
  const detail = typeof code === "string" ? code : cause instanceof Error ? cause.message : "connection failed";
  return new SigilError("kube.unreachable", `${method.toLowerCase()} failed: cannot reach the api server (${detail})`, { subject: path, cause });
}
