/**
 * Helpers shared by the CLI commands; no command imports another command's
 * folder (test/unit/cli/command-imports.test.ts). Re-exported here: the light
 * helpers (the one file writer, output checks, guarded process streams, user
 * paths, size limits, list flags, buffered output), which load nothing but
 * `src/core`.
 *
 * The modules that pull in an engine are imported by their own path, so a
 * command loads only the engine it runs:
 * - `sops-globals.ts`: the sops flags the root program registers at start-up
 *   (no engine; imported by path so start-up reads nothing else);
 * - `sops-size.ts`, `sops-io.ts`, `sops-config.ts`, `encrypted-input.ts`: input,
 *   output, `.sops.yaml` and the size limit of the sops-compatible commands;
 * - `manifest-io.ts`, `recovery-unseal.ts`: input and offline unsealing of the
 *   sealed-secrets commands;
 * - `prompt.ts`: the terminal passphrase prompt.
 */
export { tooLarge, parseByteSize } from "./byte-size.js";
export { PLAINTEXT_FILE_MODE, openOutput, replaceFile } from "./buffered-output.js";
export type { Output } from "./buffered-output.js";
export { collect, splitList } from "./list-flags.js";
export { parseThreshold } from "./shamir-threshold.js";
export { checkOutputTarget } from "./output-target.js";
export type { OutputTarget } from "./output-target.js";
export { isStandardStreamPath, standardStreamFor } from "./standard-streams.js";
export { guardOutput } from "./streams.js";
export type { GuardedOutput, RawOutputStream } from "./streams.js";
export { liveTempFiles, registerTempFile, releaseTempFile } from "./temp-files.js";
export { optionalPath, readUserFile, userPath } from "./user-files.js";
export { checkOutputFiles, defaultWriteOptions, writeOutputFile, writeOutputFiles } from "./write-files.js";
export type { OutputFile, WriteOptions } from "./write-files.js";
