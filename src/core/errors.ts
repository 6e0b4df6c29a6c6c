/**
 * The one error type Sigil throws on purpose.
 *
 * Every error carries a literal `code` that callers branch on (never the
 * message text), the `subject` it is about (a file path or
 * `Kind/namespace/name`), and the underlying `cause`. Messages are lowercase,
 * say what was tried, and never contain a secret value: they pass through the
 * process redactor when they are printed or logged.
 */

/** Every code Sigil can raise, grouped by area. Add new codes here. */
export const ERROR_CODES = [
  // generic
  "internal",
  "input.invalid",
  "input.too_large",
  "input.not_found",
  "input.conflicting_flags",
  "input.closed",
  "output.write_failed",
  "output.unsafe_target",
  "output.read_only",
  "output.exists",
  "output.closed",
  "config.invalid",
  // sops
  "decrypt.mac_mismatch",
  "decrypt.no_matching_key",
  "decrypt.not_encrypted",
  "decrypt.already_encrypted",
  "decrypt.invalid_ciphertext",
  "decrypt.invalid_metadata",
  "decrypt.unknown_provider",
  "decrypt.parse_failed",
  "decrypt.unsupported",
  // sealed secrets
  "sealed.invalid_blob",
  "sealed.no_key",
  "sealed.scope_mismatch",
  "sealed.template_failed",
  "sealed.unmanaged_secret",
  "sealed.cert_expired",
  "sealed.cert_invalid",
  "sealed.fetch_failed",
  "sealed.verify_failed",
  // providers
  "provider.unreachable",
  "provider.denied",
  "provider.invalid_key",
  "provider.not_configured",
  "provider.failed",
  "provider.no_secret",
  "provider.unsupported",
  // environment
  "env.peer_missing",
  "env.build_failed",
  "env.port_in_use",
  "env.not_ready",
  // kubernetes / apply
  "apply.conflict",
  "apply.failed",
  "apply.immutable",
  "apply.invalid",
  "apply.timeout",
  // kubernetes API
  "kube.not_found",
  "kube.conflict",
  "kube.unauthorized",
  "kube.forbidden",
  "kube.unknown_kind",
  "kube.invalid",
  "kube.immutable",
  "kube.expired",
  "kube.unreachable",
  "kube.failed",
  // external secrets
  "es.invalid_spec",
  "es.store_invalid",
  "es.namespace_forbidden",
  "es.template_failed",
  "es.template_unsupported",
  "es.secret_conflict",
  "es.secret_owned",
  "es.secret_immutable",
  // operator
  "operator.start_failed",
  // reconciler (src/reconcile)
  "source.invalid",
  "source.fetch_failed",
  "source.auth_failed",
  "source.host_key_mismatch",
  "source.ref_not_found",
  "source.timeout",
  "source.not_ready",
  "render.failed",
  "render.invalid_yaml",
  "render.path_escape",
  "render.too_large",
  "render.empty",
  "kustomize.failed",
  "inventory.unsupported_version",
  "prune.failed",
  "health.timeout",
  "sync.drift_found",
  "sync.invalid_wave",
  "hook.invalid",
  "hook.failed",
  "sync.cross_namespace_ref",
  "operator.unknown_controller",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface SigilErrorOptions {
  /** What the error is about: a file path or `Kind/namespace/name`. */
  readonly subject?: string | undefined;
  /** The error that caused this one. */
  readonly cause?: unknown;
}

/** The base error. `code` is stable API; `message` is for humans. */
export class SigilError extends Error {
  override readonly name = "SigilError";
  readonly code: ErrorCode;
  readonly subject: string | undefined;

  constructor(code: ErrorCode, message: string, options: SigilErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.subject = options.subject;
  }

  /** `subject: message [code]`, the form printed by the CLI. */
  describe(): string {
    const where = this.subject === undefined ? "" : `${this.subject}: `;
    return `${where}${this.message} [${this.code}]`;
  }
}

/** True when `err` is a SigilError, optionally with the given code. */
export function isSigilError(err: unknown, code?: ErrorCode): err is SigilError {
  return err instanceof SigilError && (code === undefined || err.code === code);
}

/** Describe any thrown value in one line, following the cause chain. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    if (current instanceof SigilError) parts.push(current.describe());
    else if (current instanceof Error) parts.push(current.message);
    else if (typeof current === "string") parts.push(current);
    else parts.push("unknown error");
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": caused by: ");
}
