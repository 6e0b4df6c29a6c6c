/**
 * The process-wide redactor: code that handles plaintext registers it here,
 * and every line Sigil prints (logs, CLI errors, Events, status messages)
 * passes through `redact()` first. A registered value can then never be
 * printed, even by an error message that quotes it by accident.
 */

/** What replaces a registered secret in output. */
export const REDACTED = "[REDACTED]";

/** Values shorter than this are not registered: redacting "a" or "1" everywhere would make output unreadable and leaks nothing. */
export const MIN_SECRET_LENGTH = 4;

export class Redactor {
  readonly #values = new Set<string>();
  #sorted: string[] | undefined;

  /**
   * Register a secret. Strings are registered as-is; byte arrays as their
   * UTF-8 text (when valid) and their base64 forms, since Kubernetes
   * carries Secret data in base64.
   */
  register(secret: string | Uint8Array): void {
    const forms: string[] = [];
    if (typeof secret === "string") {
      forms.push(secret, Buffer.from(secret, "utf8").toString("base64"));
    } else {
      const buf = Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
      const text = buf.toString("utf8");
      if (Buffer.from(text, "utf8").equals(buf)) forms.push(text);
      forms.push(buf.toString("base64"), buf.toString("hex"));
    }
    for (const form of forms) {
      if (form.length >= MIN_SECRET_LENGTH && !this.#values.has(form)) {
        this.#values.add(form);
        this.#sorted = undefined;
      }
    }
    for (const form of forms) this.#registerLines(form);
  }

  /** Multi-line secrets are also redacted line by line, so a wrapped quote cannot leak a line. */
  #registerLines(form: string): void {
    if (!form.includes("\n")) return;
    for (const line of form.split("\n")) {
      const trimmed = line.trim();
      if (trimmed.length >= 8 && !this.#values.has(trimmed)) {
        this.#values.add(trimmed);
        this.#sorted = undefined;
      }
    }
  }

  /** Replace every registered value in `text`. Longest first, so overlapping values redact fully. */
  redact(text: string): string {
    if (this.#values.size === 0) return text;
    this.#sorted ??= [...this.#values].sort((a, b) => b.length - a.length);
    let out = text;
    for (const value of this.#sorted) {
      if (out.includes(value)) out = out.split(value).join(REDACTED);
    }
    return out;
  }

  /** How many forms are registered (for tests and metrics). */
  get size(): number {
    return this.#values.size;
  }

  /** Forget everything (tests only). */
  clear(): void {
    this.#values.clear();
    this.#sorted = undefined;
  }
}

/** The redactor every Sigil component in this process shares. */
export const redactor = new Redactor();

/** Register a secret with the process redactor. */
export function registerSecret(secret: string | Uint8Array): void {
  redactor.register(secret);
}

/** Redact with the process redactor. */
export function redact(text: string): string {
  return redactor.redact(text);
}
