/**
 * Structured JSON logging. One line per record:
 * `{"time":…,"level":"info","msg":…,…fields}`. Every line passes through the
 * redactor before it is written, so registered secrets never reach output.
 */
import { SigilError } from "./errors.js";
import { escapeControlChars } from "./escape.js";
import { Redactor, redactor as processRedactor } from "./redact.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Readonly<Record<string, unknown>>;

/** Where finished lines go. */
export type LogSink = (line: string) => void;

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly sink: LogSink;
  readonly redactor: Redactor;
  readonly clock: () => Date;
  readonly fields: LogFields;
}

export function defaultLoggerOptions(): LoggerOptions {
  return {
    level: "info",
    sink: (line) => process.stderr.write(line + "\n"),
    redactor: processRedactor,
    clock: () => new Date(),
    fields: {},
  };
}

/** Turn an error (and its cause chain) into plain JSON-safe data. */
export function serializeError(err: unknown, depth = 0): unknown {
  if (depth > 8) return "…";
  if (err instanceof SigilError) {
    return {
      code: err.code,
      ...(err.subject === undefined ? {} : { subject: err.subject }),
      message: err.message,
      ...(err.cause === undefined ? {} : { cause: serializeError(err.cause, depth + 1) }),
    };
  }
  if (err instanceof Error) {
    return {
      name: err.name,
      message: err.message,
      ...(err.cause === undefined ? {} : { cause: serializeError(err.cause, depth + 1) }),
    };
  }
  return typeof err === "string" ? err : String(err);
}

/**
 * A replacer that redacts every string and reduces bytes to their length.
 * It looks at the holder's own property (`this[key]`), because
 * `JSON.stringify` calls `toJSON` first: a Buffer reaches a replacer as
 * `{"type":"Buffer","data":[…]}`, whose decimal bytes no redactor matches.
 */
function makeReplacer(r: Redactor): (this: unknown, key: string, value: unknown) => unknown {
  return function (this: unknown, key: string, value: unknown): unknown {
    const original: unknown = typeof this === "object" && this !== null ? (this as Record<string, unknown>)[key] : value;
    if (original instanceof Uint8Array) return jsonReplacer(original);
    return typeof value === "string" ? r.redact(value) : jsonReplacer(value);
  };
}

function jsonReplacer(value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  return value;
}

export class Logger {
  readonly #opts: LoggerOptions;

  constructor(options: Partial<LoggerOptions> = {}) {
    this.#opts = { ...defaultLoggerOptions(), ...options };
  }

  /** A logger that adds `fields` to every record. */
  child(fields: LogFields): Logger {
    return new Logger({ ...this.#opts, fields: { ...this.#opts.fields, ...fields } });
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.#opts.level);
  }

  debug(msg: string, fields?: LogFields): void {
    this.log("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log("error", msg, fields);
  }

  log(level: LogLevel, msg: string, fields: LogFields = {}): void {
    if (!this.enabled(level)) return;
    const record = { time: this.#opts.clock().toISOString(), level, msg, ...this.#opts.fields, ...fields };
    // Strings are redacted before JSON escaping (a secret with a quote or a
    // newline would no longer match once escaped), and the line once more after.
    const line = JSON.stringify(record, makeReplacer(this.#opts.redactor));
    // Control characters JSON leaves raw (DEL, C1, bidi overrides) are escaped too.
    this.#opts.sink(escapeControlChars(this.#opts.redactor.redact(line)));
  }
}

/** Parse a level name, defaulting to `info`. */
export function parseLogLevel(value: string | undefined): LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value ?? "") ? (value as LogLevel) : "info";
}
