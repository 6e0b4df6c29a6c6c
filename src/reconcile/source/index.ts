/** The source step: fetch a Git revision into a local, cached, read-only directory. */
export { defaultSourceOptions, fetchSource } from "./fetch.js";
export type { SourceOptions } from "./fetch.js";
export { applyIgnore, compileIgnore, MAX_IGNORE_PATTERNS, MAX_IGNORE_PATTERN_LENGTH } from "./ignore.js";
export type { IgnoreMatcher } from "./ignore.js";
export { parseLsRemote, resolveRef } from "./refs.js";
export type { RemoteRefs, ResolvedRef } from "./refs.js";
export { prepareAuth } from "./credentials.js";
export type { GitAuth } from "./credentials.js";
export { transportOf } from "./url.js";
export type { Transport } from "./url.js";
export type { Artifact, FetchRequest, GitCredentials } from "./types.js";
