/**
 * Turning API server responses into `SigilError`s with `kube.*` codes, and
 * the one scrubber of what the API server says: only a `Status` object's
 * `message` is ever kept (never a response body), with the values it quotes
 * after `Invalid value:` removed and its length capped, so no Secret data
 * can reach an error, a log line or an Event through it.
 */
import { SigilError } from "../core/index.js";
import type { ErrorCode } from "../core/index.js";

/** The suffix the API server puts on an update of an immutable field. */
const IMMUTABLE_MARK = "field is immutable";
/** Longest message kept from the API server. */
export const MAX_STATUS_MESSAGE = 1000;

/** The `kube.*` code of an HTTP status. */
export function codeFor(status: number, message: string): ErrorCode {
  if (status === 404) return "kube.not_found";
  if (status === 409) return "kube.conflict";
  if (status === 401) return "kube.unauthorized";
  if (status === 403) return "kube.forbidden";
  if (status === 410) return "kube.expired";
  if (status === 422 && message.includes(IMMUTABLE_MARK)) return "kube.immutable";
  if (status === 400 || status === 422) return "kube.invalid";
  return "kube.failed";
}

const INVALID_VALUE = "Invalid value: ";

/** The end of a value quoted after `Invalid value: ` (a Go-quoted string, or up to the next `: `). */
function valueEnd(text: string, start: number): number {
  if (text[start] === '"') {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === '"') return i + 1;
    }
    return text.length;
  }
  const next = text.indexOf(": ", start);
  const comma = text.indexOf(", ", start);
  const ends = [next, comma].filter((i) => i >= 0);
  return ends.length === 0 ? text.length : Math.min(...ends);
}

/**
 * An API server message made safe to show: values after `Invalid value:`
 * replaced by `<redacted>`, control characters dropped, length capped.
 * Linear in the message length.
 */
export function scrubMessage(message: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const found = message.indexOf(INVALID_VALUE, at);
    if (found < 0) break;
    const start = found + INVALID_VALUE.length;
    out += message.slice(at, start) + "<redacted>";
    at = valueEnd(message, start);
  }
  out += message.slice(at);
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  out = out.replace(/[\u0000-\u001f\u007f]/g, " ");
  return out.length > MAX_STATUS_MESSAGE ? `${out.slice(0, MAX_STATUS_MESSAGE)}…` : out;
}

/** A parsed `Status` object, as far as Sigil reads it. */
export interface KubeStatus {
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly causes?: readonly { readonly field?: string; readonly message?: string; readonly reason?: string }[] };
}

/** The body parsed as a `Status`, or undefined. */
export function parseStatus(body: string): KubeStatus | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === "object" && parsed !== null && (parsed as { kind?: unknown }).kind === "Status" ? (parsed) : undefined;
  } catch {
    return undefined;
  }
}

/** The scrubbed `message` of a `Status` body, else a short generic text (bodies are never echoed whole). */
export function statusMessage(status: number, body: string): string {
  const message = parseStatus(body)?.message;
  return typeof message === "string" && message !== "" ? scrubMessage(message) : `the api server answered http ${status}`;
}

/** A `kube.*` error that keeps the (scrubbed) `Status` for callers that look deeper (apply conflicts). */
export class KubeApiError extends SigilError {
  /** The HTTP status. */
  readonly status: number;
  /** The Status object, its message and causes scrubbed. */
  readonly kubeStatus: KubeStatus | undefined;

  constructor(code: ErrorCode, message: string, status: number, kubeStatus: KubeStatus | undefined, subject: string) {
    super(code, message, { subject });
    this.status = status;
    this.kubeStatus = kubeStatus;
  }
}

function scrubStatus(status: KubeStatus | undefined): KubeStatus | undefined {
  if (status === undefined) return undefined;
  const causes = status.details?.causes?.map((c) => ({ ...c, ...(c.message === undefined ? {} : { message: scrubMessage(c.message) }) }));
  return {
    ...(status.reason === undefined ? {} : { reason: status.reason }),
    ...(status.code === undefined ? {} : { code: status.code }),
    ...(status.message === undefined ? {} : { message: scrubMessage(status.message) }),
    ...(causes === undefined ? {} : { details: { causes } }),
  };
}

/** The error for a non-2xx answer to `method path`. */
export function apiError(status: number, body: string, method: string, path: string): KubeApiError {
  const message = statusMessage(status, body);
  return new KubeApiError(codeFor(status, message), `${method.toLowerCase()} failed: ${message}`, status, scrubStatus(parseStatus(body)), path);
}

/** The error for a request that never got an answer. */
export function networkError(cause: unknown, method: string, path: string): SigilError {
  const code = (cause as { code?: unknown } | null)?.code;
  const detail = typeof code === "string" ? code : cause instanceof Error ? cause.message : "connection failed";
  return new SigilError("kube.unreachable", `${method.toLowerCase()} failed: cannot reach the api server (${detail})`, { subject: path, cause });
}
