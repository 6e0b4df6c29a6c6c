/** What the source step takes and gives. */
import type { GitRef } from "../api/types.js";

/** Credentials, with Flux's Secret key names mapped to fields. */
export interface GitCredentials {
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly bearerToken?: string | undefined;
  /** PEM CA bundle for HTTPS (`ca.crt`). */
  readonly caCrt?: string | undefined;
  /** SSH private key (`identity`). */
  readonly identity?: string | undefined;
  /** SSH host keys (`known_hosts`). */
  readonly knownHosts?: string | undefined;
}

export interface FetchRequest {
  readonly url: string;
  readonly ref?: GitRef | undefined;
  readonly credentials?: GitCredentials | undefined;
  /** gitignore-style patterns (`spec.ignore`). */
  readonly ignore?: string | undefined;
  /** Limit for the whole fetch, in milliseconds (default: the options'). */
  readonly timeoutMs?: number | undefined;
}

/** A fetched revision: a plain directory (no `.git`) in the cache. Treat it as read-only. */
export interface Artifact {
  readonly url: string;
  /** `<branch>@sha1:<hash>`, `<tag>@sha1:<hash>` or `sha1:<hash>`. */
  readonly revision: string;
  readonly commit: string;
  readonly dir: string;
  /** True when the cache already held this revision. */
  readonly cached: boolean;
}
