export { ERROR_CODES, SigilError, describeError, isSigilError } from "./errors.js";
export type { ErrorCode, SigilErrorOptions } from "./errors.js";
export { MIN_LINE_LENGTH, MIN_SECRET_LENGTH, REDACTED, Redactor, defaultRedactorOptions, redact, redactor, registerSecret } from "./redact.js";
export type { RedactorOptions, RegisterOptions } from "./redact.js";
export { LOG_LEVELS, Logger, defaultLoggerOptions, parseLogLevel, serializeError } from "./log.js";
export type { LogFields, LogLevel, LogSink, LoggerOptions } from "./log.js";
export { defaultEscapeOptions, escapeControlChars } from "./escape.js";
export type { EscapeOptions } from "./escape.js";
