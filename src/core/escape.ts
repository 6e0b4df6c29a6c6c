/**
 * Escaping for text printed to a terminal. A file or object name may carry
 * newlines (to forge a second, innocent-looking line) or ANSI escape
 * sequences (to recolour, hide or rewrite what the user sees). Everything
 * Sigil prints about its input (error lines, log records, per-file reports)
 * passes through `escapeControlChars` first.
 */

/** C0 controls, DEL, C1 controls (0x9b is an 8-bit CSI), and the Unicode bidirectional overrides and isolates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const SHORT: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/** Options of `escapeControlChars`. */
export interface EscapeOptions {
  /** Leave line feeds as they are (multi-line help and usage text). Default false. */
  readonly keepNewlines: boolean;
}

/** Defaults: every control character is escaped, newlines included. */
export function defaultEscapeOptions(): EscapeOptions {
  return { keepNewlines: false };
}

/**
 * `text` with every control character written as a visible escape: `\n`,
 * `\r`, `\t`, `\b`, `\f`, else `\uXXXX`. The escapes are valid inside a JSON
 * string, so a JSON log line stays valid JSON with the same meaning.
 */
export function escapeControlChars(text: string, options: Partial<EscapeOptions> = {}): string {
  const { keepNewlines } = { ...defaultEscapeOptions(), ...options };
  return text.replace(CONTROL, (ch) => {
    if (keepNewlines && ch === "\n") return ch;
    return SHORT[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
