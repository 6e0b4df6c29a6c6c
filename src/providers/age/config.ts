/**
 * What the age provider is given at construction: where to look for
 * identities (as data, decided at start-up) and the injected file reader and
 * passphrase prompt.
 */
import { readFileNow } from "../../core/index.js";

/**
 * One place identities may come from. With `text` the identities are inline
 * (`SOPS_AGE_KEY`); with `path` they are read from a file; with neither the
 * location is reported as "not set".
 */
export interface AgeIdentitySource {
  /** How the location is named in messages: `SOPS_AGE_KEY`, or a file path. */
  readonly location: string;
  readonly text?: string | undefined;
  readonly path?: string | undefined;
  /** A missing file counts as a problem (an explicitly named file) rather than just "not found" (the default keys file). */
  readonly required?: boolean | undefined;
}

export interface AgeIdentityLoaderDeps {
  /** Read a whole file. Must reject with an error whose `code` is `ENOENT` for a missing file. */
  readonly readFile: (path: string) => Promise<Uint8Array>;
  /**
   * Obtain the passphrase for a passphrase-protected key file at `location`.
   * Without it such files are reported as unusable.
   */
  readonly passphrase?: ((location: string) => Promise<string>) | undefined;
}

export interface AgeProviderOptions extends AgeIdentityLoaderDeps {
  /** Where to look, in order. All identities from all sources are tried. */
  readonly sources: readonly AgeIdentitySource[];
}

/** Defaults: no sources, files read with `readFileNow` (core/read-file.ts), no passphrase prompt. */
export function defaultAgeProviderOptions(): AgeProviderOptions {
  return { sources: [], readFile: readFileNow };
}
