/**
 * The process-wide redactor: code that handles plaintext registers it here,
 * and every line Sigil prints (logs, CLI errors, Events, status messages)
 * passes through `redact()` first. A registered value can then never be
 * printed, even by an error message that quotes it by accident.
 *
 * Each secret is registered in the forms it is likely to be printed in: as
 * is, base64 (Kubernetes Secret `data`), hex (bytes), JSON-escaped (a quote
 * or newline inside a JSON string), YAML single-quoted, both Unicode
 * normalisations, and line by line for multi-line values. Redaction finds
 * every occurrence of every form and replaces each maximal covered run with
 * one `[REDACTED]`, so two overlapping secrets cannot leave a piece of
 * either behind.
 *
 * Memory is bounded: a long-running operator registers every value it
 * unseals. Forms are kept least-recently-registered first and the oldest
 * are forgotten beyond `maxValues`; code re-registers a value each time it
 * uses it (a cache hit, a new render), so what is forgotten is only what has
 * not been handled for a long while. Long-lived key material (private keys,
 * identities, tokens) is registered `pinned` and never forgotten. See
 * docs/security.md.
 */

import { Recency } from "./recency.js";

/** What replaces a registered secret in output. */
export const REDACTED = "[REDACTED]";

/** Values shorter than this are not registered: redacting "a" or "1" everywhere would make output unreadable and leaks nothing. */
export const MIN_SECRET_LENGTH = 4;

/** Lines of a multi-line secret are registered on their own from this length (shorter lines are too common to redact everywhere). */
export const MIN_LINE_LENGTH = 8;

export interface RedactorOptions {
  /** Unpinned forms remembered; the least recently registered are forgotten first. */
  readonly maxValues: number;
}

export function defaultRedactorOptions(): RedactorOptions {
  return { maxValues: 100_000 };
}

export interface RegisterOptions {
  /** Never forget this secret (long-lived key material: private keys, identities, tokens). */
  readonly pin: boolean;
}

/** The text forms of a string secret that output may carry. */
function textForms(text: string): string[] {
  const forms = [text, text.normalize("NFC"), text.normalize("NFD")];
  for (const form of [...forms]) {
    forms.push(JSON.stringify(form).slice(1, -1));
    if (form.includes("'")) forms.push(form.replaceAll("'", "''"));
  }
  return forms;
}

/** Every form of `secret` to redact. */
function formsOf(secret: string | Uint8Array): string[] {
  const forms: string[] = [];
  if (typeof secret === "string") {
    forms.push(...textForms(secret), Buffer.from(secret, "utf8").toString("base64"));
  } else {
    const buf = Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
    const text = buf.toString("utf8");
    if (Buffer.from(text, "utf8").equals(buf)) forms.push(...textForms(text));
    forms.push(buf.toString("base64"), buf.toString("hex"));
  }
  for (const form of [...forms]) {
    if (!form.includes("\n")) continue;
    for (const line of form.split("\n")) if (line.trim().length >= MIN_LINE_LENGTH) forms.push(line.trim());
  }
  return [...new Set(forms)].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

export class Redactor {
  readonly #opts: RedactorOptions;
  /** Unpinned forms, least recently registered first. */
  readonly #recent = new Recency();
  readonly #pinned = new Set<string>();
  /** Forms by their first MIN_SECRET_LENGTH characters. */
  readonly #byPrefix = new Map<string, Set<string>>();

  constructor(options: Partial<RedactorOptions> = {}) {
    this.#opts = { ...defaultRedactorOptions(), ...options };
  }

  /**
   * Register a secret. Strings are registered as-is; byte arrays as their
   * UTF-8 text (when valid), base64 and hex. Registering a known value
   * again marks it recently used. Never throws.
   */
  register(secret: string | Uint8Array, options: Partial<RegisterOptions> = {}): void {
    for (const form of formsOf(secret)) this.#add(form, options.pin === true);
    this.#evict();
  }

  #add(form: string, pin: boolean): void {
    if (this.#pinned.has(form)) return;
    if (!pin) {
      if (this.#recent.touch(form)) this.#index(form);
      return;
    }
    const known = this.#recent.delete(form);
    this.#pinned.add(form);
    if (!known) this.#index(form);
  }

  #index(form: string): void {
    const prefix = form.slice(0, MIN_SECRET_LENGTH);
    const bucket = this.#byPrefix.get(prefix);
    if (bucket === undefined) this.#byPrefix.set(prefix, new Set([form]));
    else bucket.add(form);
  }

  #unindex(form: string): void {
    const prefix = form.slice(0, MIN_SECRET_LENGTH);
    const bucket = this.#byPrefix.get(prefix);
    bucket?.delete(form);
    if (bucket?.size === 0) this.#byPrefix.delete(prefix);
  }

  /** Over the cap, forget the least recently registered forms. */
  #evict(): void {
    while (this.#recent.size > this.#opts.maxValues) {
      const form = this.#recent.shift();
      if (form === undefined) return;
      this.#unindex(form);
    }
  }

  /** The longest registered form starting at `text[i]`, if any. */
  #matchAt(text: string, i: number): string | undefined {
    const bucket = this.#byPrefix.get(text.slice(i, i + MIN_SECRET_LENGTH));
    if (bucket === undefined) return undefined;
    let best: string | undefined;
    for (const form of bucket) if (form.length > (best?.length ?? 0) && text.startsWith(form, i)) best = form;
    return best;
  }

  /** Replace every occurrence of every registered form in `text`; overlapping or adjacent matches become one `[REDACTED]`. */
  redact(text: string): string {
    if (this.#byPrefix.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    let out = "";
    let copied = 0;
    let runStart = -1;
    let runEnd = -1;
    for (let i = 0; i + MIN_SECRET_LENGTH <= text.length; i++) {
      const form = this.#matchAt(text, i);
      if (form === undefined) continue;
      if (i > runEnd) {
        if (runStart !== -1) out += text.slice(copied, runStart) + REDACTED;
        if (runStart !== -1) copied = runEnd;
        runStart = i;
      }
      runEnd = Math.max(runEnd, i + form.length);
    }
    if (runStart === -1) return text;
    return out + text.slice(copied, runStart) + REDACTED + text.slice(runEnd);
  }

  /** How many forms are registered, pinned or not (for tests and metrics). */
  get size(): number {
    return this.#recent.size + this.#pinned.size;
  }

  /** Forget everything (tests only). */
  clear(): void {
    this.#recent.clear();
    this.#pinned.clear();
    this.#byPrefix.clear();
  }
}

/** The redactor every Sigil component in this process shares. */
export const redactor = new Redactor();

/** Register a secret with the process redactor (`{ pin: true }` for long-lived key material). Never throws. */
export function registerSecret(secret: string | Uint8Array, options: Partial<RegisterOptions> = {}): void {
  redactor.register(secret, options);
}

/** Redact with the process redactor. */
export function redact(text: string): string {
  return redactor.redact(text);
}
